//! The ACL system of Redis 7.0 as sentinel mode serves it: users ([`UserDb`], sorted by
//! name like Redis's rax), their rules ([`user`], [`selector`]), permission checks against
//! the sentinel command table, and the security log ([`AclLog`], `ACL LOG`).

pub mod log;
pub mod selector;
pub mod user;

use std::collections::BTreeMap;

pub use log::{AclLog, LogReason};
pub use selector::{Denial, RuleError, Selector};
pub use user::User;

use crate::server::command_table::CommandSpec;

/// A `user` directive that could not be applied at startup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub user: String,
    pub rule: String,
    pub error: RuleError,
}

impl std::fmt::Display for LoadError {
    /// Redis's `Error loading ACL rule '<rule>' for the user named '<user>': <why>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Error loading ACL rule '{}' for the user named '{}': {}",
            self.rule,
            self.user,
            self.error.text()
        )
    }
}

/// All users, by name (byte order, as `ACL LIST` / `ACL USERS` print them).
#[derive(Debug, Clone)]
pub struct UserDb {
    users: BTreeMap<Vec<u8>, User>,
    /// A user was created, changed or removed since [`UserDb::take_changed`].
    changed: bool,
}

impl Default for UserDb {
    fn default() -> Self {
        Self::with_default_password(None)
    }
}

impl UserDb {
    /// Only `default`: nopass when `password` is `None`, else that password (`requirepass`).
    pub fn with_default_password(password: Option<Vec<u8>>) -> Self {
        let mut default = User::default_user();
        if let Some(p) = password {
            let _ = default.apply(b"resetpass");
            let mut op = b">".to_vec();
            op.extend_from_slice(&p);
            let _ = default.apply(&op);
        }
        let mut users = BTreeMap::new();
        users.insert(b"default".to_vec(), default);
        UserDb {
            users,
            changed: false,
        }
    }

    /// The startup users: `requirepass` first, then every `user` directive
    /// (`ACLLoadConfiguredUsers`: redefining `default` resets it first).
    pub fn from_config(
        requirepass: Option<Vec<u8>>,
        directives: &[Vec<String>],
    ) -> Result<Self, LoadError> {
        let mut db = Self::with_default_password(requirepass);
        for words in directives {
            let Some((name, rules)) = words.split_first() else {
                continue;
            };
            let words: Vec<&[u8]> = rules.iter().map(|w| w.as_bytes()).collect();
            let merged = user::merge_selector_args(&words).map_err(|i| LoadError {
                user: name.clone(),
                rule: rules.get(i).cloned().unwrap_or_default(),
                error: RuleError::Syntax,
            })?;
            let u = db
                .users
                .entry(name.as_bytes().to_vec())
                .or_insert_with(|| User::new(name.as_bytes()));
            if name == "default" {
                let _ = u.apply(b"reset");
            }
            for op in &merged {
                u.apply(op).map_err(|error| LoadError {
                    user: name.clone(),
                    rule: String::from_utf8_lossy(op).into_owned(),
                    error,
                })?;
            }
        }
        Ok(db)
    }

    pub fn get(&self, name: &[u8]) -> Option<&User> {
        self.users.get(name)
    }

    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    /// Creates or replaces a user.
    pub fn put(&mut self, user: User) {
        self.users.insert(user.name.clone(), user);
        self.changed = true;
    }

    /// Removes a user (never `default`); whether it existed.
    pub fn remove(&mut self, name: &[u8]) -> bool {
        let removed = name != b"default" && self.users.remove(name).is_some();
        self.changed |= removed;
        removed
    }

    /// Whether users changed since the last call (the shell then refreshes the `user`
    /// lines it saves with the config).
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// Redis `authRequired` for a client that has not authenticated: the default user
    /// needs a password or is disabled.
    pub fn auth_required_by_default(&self) -> bool {
        !self.get(b"default").is_some_and(|u| u.nopass && u.enabled)
    }

    /// Whether the default user is `nopass` (AUTH with one argument is then an error;
    /// protected mode applies).
    pub fn default_is_nopass(&self) -> bool {
        self.get(b"default").is_some_and(|u| u.nopass)
    }

    /// `ACLCheckUserCredentials`: the user exists, is enabled, and is nopass or has this
    /// password.
    pub fn check(&self, user: &[u8], password: &[u8]) -> bool {
        self.get(user).is_some_and(|u| u.password_ok(password))
    }

    /// `ACLCheckAllUserCommandPerm`: allowed if any selector allows; otherwise the most
    /// relevant denial (a channel beats the command, a later channel an earlier one).
    pub fn check_command(
        &self,
        user: &[u8],
        spec: &CommandSpec,
        args: &[&[u8]],
    ) -> Result<(), Denial> {
        let Some(u) = self.get(user) else {
            return Err(Denial::Command);
        };
        let mut worst = Denial::Command;
        for s in &u.selectors {
            match s.check(spec, args) {
                Ok(()) => return Ok(()),
                Err(d) => worst = worst.max(d),
            }
        }
        Err(worst)
    }

    /// The `user ...` lines describing every user (`ACL LIST`, config rewrite).
    pub fn config_lines(&self) -> Vec<String> {
        self.users
            .values()
            .map(|u| format!("user {} {}", String::from_utf8_lossy(&u.name), u.describe()))
            .collect()
    }
}

#[cfg(test)]
mod tests;
