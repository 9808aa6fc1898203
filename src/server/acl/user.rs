//! One ACL user: flags, password hashes and selectors, with Redis 7.0's `ACLSetUser` rules
//! (`on`/`off`, passwords, `nopass`, `reset`, `(...)` selectors, …) and its description
//! (`ACLDescribeUser`, as `ACL LIST` and config rewrite print it).

use super::selector::{has_spaces, RuleError, Selector};
use crate::config::sha256::sha256;

/// `sanitize-payload` / `skip-sanitize-payload` (a flag only shown, sentinel has no payloads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sanitize {
    Unset,
    Sanitize,
    Skip,
}

/// One ACL user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: Vec<u8>,
    pub enabled: bool,
    /// `nopass`: any password is accepted.
    pub nopass: bool,
    pub sanitize: Sanitize,
    /// SHA-256 hex digests, in the order they were added.
    pub passwords: Vec<String>,
    /// The root selector first, then the `(...)` selectors.
    pub selectors: Vec<Selector>,
}

/// Lower-case hex SHA-256 of a password (`ACLHashPassword`).
pub fn hash_password(pass: &[u8]) -> String {
    sha256(pass).iter().map(|b| format!("{b:02x}")).collect()
}

/// `ACLCheckPasswordHash`: 64 characters of `0-9a-f`.
fn valid_hash(h: &[u8]) -> bool {
    h.len() == 64 && h.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl User {
    /// A new user as `ACLCreateUser` makes it: off, no passwords, no permissions.
    pub fn new(name: &[u8]) -> Self {
        User {
            name: name.to_vec(),
            enabled: false,
            nopass: false,
            sanitize: Sanitize::Unset,
            passwords: Vec::new(),
            selectors: vec![Selector::new(true)],
        }
    }

    /// The `default` user: `on nopass ~* &* +@all`.
    pub fn default_user() -> Self {
        let mut u = User::new(b"default");
        for op in ["+@all", "~*", "&*", "on", "nopass"] {
            let _ = u.apply(op.as_bytes());
        }
        u
    }

    pub fn root(&self) -> Option<&Selector> {
        self.selectors.first()
    }

    /// Applies one rule (`ACLSetUser`).
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let is = |w: &str| op.eq_ignore_ascii_case(w.as_bytes());
        let first = op.first().copied().unwrap_or(0);
        let rest = op.get(1..).unwrap_or_default();
        if op.is_empty() {
        } else if is("on") {
            self.enabled = true;
        } else if is("off") {
            self.enabled = false;
        } else if is("skip-sanitize-payload") {
            self.sanitize = Sanitize::Skip;
        } else if is("sanitize-payload") {
            self.sanitize = Sanitize::Sanitize;
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if first == b'>' || first == b'#' {
            let hash = if first == b'>' {
                hash_password(rest)
            } else if valid_hash(rest) {
                String::from_utf8_lossy(rest).into_owned()
            } else {
                return Err(RuleError::BadHash);
            };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.nopass = false;
        } else if first == b'<' || first == b'!' {
            let hash = if first == b'<' {
                hash_password(rest)
            } else if valid_hash(rest) {
                String::from_utf8_lossy(rest).into_owned()
            } else {
                return Err(RuleError::BadHash);
            };
            let before = self.passwords.len();
            self.passwords.retain(|p| *p != hash);
            if self.passwords.len() == before {
                return Err(RuleError::NoSuchPassword);
            }
        } else if first == b'(' && op.last() == Some(&b')') {
            let inner = op.get(1..op.len() - 1).unwrap_or_default();
            let mut sel = Selector::new(false);
            for word in inner
                .split(|b| b.is_ascii_whitespace())
                .filter(|w| !w.is_empty())
            {
                sel.apply(word)?;
            }
            self.selectors.push(sel);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            self.nopass = false;
            self.passwords.clear();
            self.enabled = false;
            self.sanitize = Sanitize::Sanitize;
            self.selectors.truncate(1);
            if let Some(root) = self.selectors.first_mut() {
                for op in ["resetkeys", "resetchannels", "-@all"] {
                    root.apply(op.as_bytes())?;
                }
            }
        } else {
            match self.selectors.first_mut() {
                Some(root) => root.apply(op)?,
                None => return Err(RuleError::Syntax),
            }
        }
        Ok(())
    }

    /// `ACLCheckUserCredentials` once the user is found.
    pub fn password_ok(&self, pass: &[u8]) -> bool {
        if !self.enabled {
            return false;
        }
        if self.nopass {
            return true;
        }
        // Compared without an early exit, like Redis's `time_independent_strcmp`.
        let h = hash_password(pass);
        self.passwords.iter().fold(false, |found, p| {
            let diff = p
                .bytes()
                .zip(h.bytes())
                .fold(u8::from(p.len() != h.len()), |d, (a, b)| d | (a ^ b));
            found | (diff == 0)
        })
    }

    /// `ACLDescribeUser`: flags, `#hash`es, the root selector, ` (selector)`s.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        for f in self.flag_names() {
            s.push_str(f);
            s.push(' ');
        }
        for p in &self.passwords {
            s.push('#');
            s.push_str(p);
            s.push(' ');
        }
        for sel in &self.selectors {
            if sel.root {
                s.push_str(&sel.describe());
            } else {
                s.push_str(" (");
                s.push_str(&sel.describe());
                s.push(')');
            }
        }
        s
    }

    /// The flags in Redis's `ACLUserFlags` order.
    pub fn flag_names(&self) -> Vec<&'static str> {
        let mut f = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            f.push("nopass");
        }
        match self.sanitize {
            Sanitize::Skip => f.push("skip-sanitize-payload"),
            Sanitize::Sanitize => f.push("sanitize-payload"),
            Sanitize::Unset => {}
        }
        f
    }
}

/// `ACLMergeSelectorArguments`: a selector may be spread over several words
/// (`(+ping` `~x)`); they are joined with single spaces. `Err(i)` names the word that opened
/// an unterminated selector.
pub fn merge_selector_args(args: &[&[u8]]) -> Result<Vec<Vec<u8>>, usize> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (j, op) in args.iter().enumerate() {
        if op.first() == Some(&b'(') && op.last() != Some(&b')') {
            open = Some((j, op.to_vec()));
            continue;
        }
        if let Some((_, sel)) = open.as_mut() {
            sel.push(b' ');
            sel.extend_from_slice(op);
            if op.last() == Some(&b')') {
                if let Some((_, sel)) = open.take() {
                    out.push(sel);
                }
            }
            continue;
        }
        out.push(op.to_vec());
    }
    match open {
        Some((j, _)) => Err(j),
        None => Ok(out),
    }
}

/// Usernames may not contain spaces or NUL.
pub fn valid_username(name: &[u8]) -> bool {
    !has_spaces(name)
}
