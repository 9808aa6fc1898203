//! ACL users as far as sentinel needs them today: the `default` user, with or without a
//! password (`requirepass`). Shaped so full `ACL SETUSER` users can be added later: every
//! check goes through [`UserDb`].

/// One ACL user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub enabled: bool,
    /// `nopass`: any password is accepted.
    pub nopass: bool,
    pub passwords: Vec<Vec<u8>>,
}

/// The user database.
#[derive(Debug, Clone)]
pub struct UserDb {
    users: Vec<User>,
}

impl UserDb {
    /// Only `default`: nopass when `password` is `None`, else that password.
    pub fn with_default_password(password: Option<Vec<u8>>) -> Self {
        let default = User {
            name: "default".to_string(),
            enabled: true,
            nopass: password.is_none(),
            passwords: password.into_iter().collect(),
        };
        UserDb {
            users: vec![default],
        }
    }

    pub fn get(&self, name: &[u8]) -> Option<&User> {
        self.users.iter().find(|u| u.name.as_bytes() == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.users.iter().map(|u| u.name.as_str())
    }

    /// Redis `authRequired` for a fresh connection: the default user needs a password or
    /// is disabled.
    pub fn auth_required_by_default(&self) -> bool {
        !self.get(b"default").is_some_and(|u| u.nopass && u.enabled)
    }

    /// Whether the default user is `nopass` (AUTH with one argument is then an error).
    pub fn default_is_nopass(&self) -> bool {
        self.get(b"default").is_some_and(|u| u.nopass)
    }

    /// Redis `ACLCheckUserCredentials`: the user exists, is enabled, and is nopass or has
    /// this password.
    pub fn check(&self, user: &[u8], password: &[u8]) -> bool {
        self.get(user)
            .is_some_and(|u| u.enabled && (u.nopass || u.passwords.iter().any(|p| p == password)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nopass_default_accepts_any_password_but_not_unknown_users() {
        let db = UserDb::with_default_password(None);
        assert!(!db.auth_required_by_default());
        assert!(db.check(b"default", b"whatever"));
        assert!(!db.check(b"nobody", b"x"));
    }

    #[test]
    fn requirepass_sets_the_default_users_password() {
        let db = UserDb::with_default_password(Some(b"secret".to_vec()));
        assert!(db.auth_required_by_default());
        assert!(db.check(b"default", b"secret"));
        assert!(!db.check(b"default", b"wrong"));
    }
}
