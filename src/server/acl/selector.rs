//! ACL selectors: what a user (its root selector, or a `(...)` selector) may run and
//! mention — command bits over the sentinel command table, allowed first arguments, key
//! patterns and channel patterns — with Redis 7.0's rule syntax (`ACLSetSelector`) and its
//! description (`ACLDescribeSelector`, the "best fitting categories" algorithm).

use crate::glob::glob_match;
use crate::server::command_table::{all_specs, find_by_fullname, CommandSpec, COMMANDS};
use crate::server::commands::help_text::ACL_CATEGORIES;

/// The reserved bit set only by `+@all`/`allcommands` ("may run future commands").
const FUTURE_BIT: u32 = 127;

/// Key pattern permission: read.
pub const KEY_READ: u8 = 1;
/// Key pattern permission: write.
pub const KEY_WRITE: u8 = 2;
const KEY_ALL: u8 = KEY_READ | KEY_WRITE;

/// Why a rule was refused (Redis sets `errno`; the texts are `ACLSetUserStringError`'s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleError {
    /// Unknown command or category.
    UnknownName,
    Syntax,
    KeyAfterAll,
    ChannelAfterAll,
    NoSuchPassword,
    BadHash,
    FirstArgOfSubcommand,
}

impl RuleError {
    pub fn text(self) -> &'static str {
        match self {
            RuleError::UnknownName => "Unknown command or category name in ACL",
            RuleError::Syntax => "Syntax error",
            RuleError::KeyAfterAll => {
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and \
                 does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
            }
            RuleError::ChannelAfterAll => {
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid \
                 and does not have any effect. Try 'resetchannels' to start with an empty list of \
                 channels"
            }
            RuleError::NoSuchPassword => {
                "The password you are trying to remove from the user does not exist"
            }
            RuleError::BadHash => {
                "The password hash must be exactly 64 characters and contain only lowercase \
                 hexadecimal characters"
            }
            RuleError::FirstArgOfSubcommand => {
                "Allowing first-arg of a subcommand is not supported"
            }
        }
    }
}

/// Outcome of a permission check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Denial {
    /// The command itself is not allowed.
    Command,
    /// A channel argument (its index in argv) is not allowed.
    Channel(usize),
}

/// One selector.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    pub root: bool,
    pub allkeys: bool,
    pub allchannels: bool,
    pub allcommands: bool,
    /// Bit `i` = the `i`-th spec of [`all_specs`] is allowed; bit 127 = future commands.
    bits: u128,
    /// Allowed first arguments of otherwise denied commands (`+ping|x`), per spec index.
    firstargs: Vec<(usize, Vec<Vec<u8>>)>,
    /// Key patterns with `KEY_READ`/`KEY_WRITE` flags.
    pub keys: Vec<(Vec<u8>, u8)>,
    pub channels: Vec<Vec<u8>>,
}

/// Index of a spec in [`all_specs`] order (the bit position).
fn index_of(spec: &CommandSpec) -> Option<usize> {
    all_specs().position(|s| std::ptr::eq(s, spec))
}

fn bit(i: usize) -> u128 {
    u32::try_from(i)
        .ok()
        .and_then(|i| 1u128.checked_shl(i))
        .unwrap_or(0)
}

impl Selector {
    /// An empty selector (no commands, keys or channels; `acl-pubsub-default resetchannels`).
    pub fn new(root: bool) -> Self {
        Selector {
            root,
            ..Selector::default()
        }
    }

    fn has(&self, i: usize) -> bool {
        self.bits & bit(i) != 0
    }

    fn set_bit(&mut self, i: usize, allow: bool) {
        if allow {
            self.bits |= bit(i);
        } else {
            self.bits &= !bit(i);
            self.allcommands = false;
        }
    }

    /// `ACLChangeSelectorPerm`: the command and all its subcommands.
    fn change_perm(&mut self, spec: &CommandSpec, allow: bool) {
        let Some(i) = index_of(spec) else { return };
        self.set_bit(i, allow);
        self.firstargs.retain(|(id, _)| *id != i);
        for sub in spec.subcommands {
            if let Some(j) = index_of(sub) {
                self.set_bit(j, allow);
            }
        }
    }

    /// `+@cat` / `-@cat`: every command in the category (a container drags its subcommands).
    fn set_category(&mut self, cat: &str, allow: bool) {
        for cmd in COMMANDS {
            if cmd.in_category(cat) {
                self.change_perm(cmd, allow);
            }
            for sub in cmd.subcommands {
                if sub.in_category(cat) {
                    self.change_perm(sub, allow);
                }
            }
        }
    }

    fn all_commands(&mut self, allow: bool) {
        self.bits = if allow { u128::MAX } else { 0 };
        self.allcommands = allow;
        self.firstargs.clear();
    }

    /// Applies one selector rule (`ACLSetSelector`).
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let is = |w: &str| op.eq_ignore_ascii_case(w.as_bytes());
        let first = op.first().copied().unwrap_or(0);
        let second = op.get(1).copied().unwrap_or(0);
        if is("allkeys") || is("~*") {
            self.allkeys = true;
            self.keys.clear();
        } else if is("resetkeys") {
            self.allkeys = false;
            self.keys.clear();
        } else if is("allchannels") || is("&*") {
            self.allchannels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.allchannels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.all_commands(true);
        } else if is("nocommands") || is("-@all") {
            self.all_commands(false);
        } else if first == b'~' || first == b'%' {
            self.add_key_pattern(op)?;
        } else if first == b'&' {
            if self.allchannels {
                return Err(RuleError::ChannelAfterAll);
            }
            let pat = op.get(1..).unwrap_or_default();
            if has_spaces(pat) {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|c| c == pat) {
                self.channels.push(pat.to_vec());
            }
            self.allchannels = false;
        } else if first == b'+' && second != b'@' {
            self.allow_command(op.get(1..).unwrap_or_default())?;
        } else if first == b'-' && second != b'@' {
            let spec =
                find_by_fullname(op.get(1..).unwrap_or_default()).ok_or(RuleError::UnknownName)?;
            self.change_perm(spec, false);
        } else if (first == b'+' || first == b'-') && second == b'@' {
            let name = op.get(2..).unwrap_or_default().to_ascii_lowercase();
            let cat = ACL_CATEGORIES
                .iter()
                .find(|c| c.as_bytes() == name)
                .ok_or(RuleError::UnknownName)?;
            self.set_category(cat, first == b'+');
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    fn add_key_pattern(&mut self, op: &[u8]) -> Result<(), RuleError> {
        if self.allkeys {
            return Err(RuleError::KeyAfterAll);
        }
        let mut flags = 0u8;
        let mut offset = 1;
        if op.first() == Some(&b'%') {
            while let Some(&c) = op.get(offset) {
                let up = c.to_ascii_uppercase();
                if up == b'R' && flags & KEY_READ == 0 {
                    flags |= KEY_READ;
                } else if up == b'W' && flags & KEY_WRITE == 0 {
                    flags |= KEY_WRITE;
                } else if c == b'~' {
                    offset += 1;
                    break;
                } else {
                    return Err(RuleError::Syntax);
                }
                offset += 1;
            }
            if flags == 0 {
                return Err(RuleError::Syntax);
            }
        } else {
            flags = KEY_ALL;
        }
        let pat = op.get(offset..).unwrap_or_default();
        if has_spaces(pat) {
            return Err(RuleError::Syntax);
        }
        match self.keys.iter_mut().find(|(p, _)| p == pat) {
            Some((_, f)) => *f |= flags,
            None => self.keys.push((pat.to_vec(), flags)),
        }
        self.allkeys = false;
        Ok(())
    }

    /// `+cmd`, `+container|sub`, `+cmd|firstarg`.
    fn allow_command(&mut self, name: &[u8]) -> Result<(), RuleError> {
        let Some(bar) = name.iter().rposition(|&b| b == b'|') else {
            let spec = find_by_fullname(name).ok_or(RuleError::UnknownName)?;
            self.change_perm(spec, true);
            return Ok(());
        };
        let (base, rest) = name.split_at(bar);
        let sub = rest.get(1..).unwrap_or_default();
        let spec = find_by_fullname(base).ok_or(RuleError::UnknownName)?;
        if spec.name.contains('|') {
            return Err(RuleError::FirstArgOfSubcommand);
        }
        if sub.is_empty() {
            return Err(RuleError::Syntax);
        }
        if !spec.subcommands.is_empty() {
            let spec = find_by_fullname(name).ok_or(RuleError::UnknownName)?;
            self.change_perm(spec, true);
            return Ok(());
        }
        let Some(i) = index_of(spec) else {
            return Err(RuleError::UnknownName);
        };
        let args = match self.firstargs.iter_mut().find(|(id, _)| *id == i) {
            Some((_, a)) => a,
            None => {
                self.firstargs.push((i, Vec::new()));
                match self.firstargs.last_mut() {
                    Some((_, a)) => a,
                    None => return Ok(()),
                }
            }
        };
        if !args.iter().any(|a| a.eq_ignore_ascii_case(sub)) {
            args.push(sub.to_vec());
        }
        Ok(())
    }

    /// `ACLSelectorCheckCmd` for the sentinel table: command bits (AUTH/HELLO always pass),
    /// first arguments, then the channels of SUBSCRIBE/PSUBSCRIBE/PUBLISH.
    pub fn check(&self, spec: &CommandSpec, args: &[&[u8]]) -> Result<(), Denial> {
        if !self.allcommands && !spec.has_flag("no_auth") {
            let i = index_of(spec).ok_or(Denial::Command)?;
            if !self.has(i) {
                let first = args.get(1).ok_or(Denial::Command)?;
                let allowed = self
                    .firstargs
                    .iter()
                    .find(|(id, _)| *id == i)
                    .is_some_and(|(_, a)| a.iter().any(|x| x.eq_ignore_ascii_case(first)));
                if !allowed {
                    return Err(Denial::Command);
                }
            }
        }
        if self.allchannels {
            return Ok(());
        }
        let (from, to, pattern) = match spec.name {
            "subscribe" => (1, args.len(), false),
            "psubscribe" => (1, args.len(), true),
            "publish" => (1, 2, false),
            _ => return Ok(()),
        };
        for idx in from..to.min(args.len()) {
            let ch = args.get(idx).copied().unwrap_or_default();
            if !channel_allowed(&self.channels, ch, pattern) {
                return Err(Denial::Channel(idx));
            }
        }
        Ok(())
    }

    /// `ACLDescribeSelector`: keys, channels, then the command rules.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        if self.allkeys {
            s.push_str("~* ");
        } else {
            for (p, f) in &self.keys {
                s.push_str(&key_pattern_text(p, *f));
                s.push(' ');
            }
        }
        if self.allchannels {
            s.push_str("&* ");
        } else {
            s.push_str("resetchannels ");
            for c in &self.channels {
                s.push('&');
                s.push_str(&String::from_utf8_lossy(c));
                s.push(' ');
            }
        }
        s.push_str(&self.describe_commands());
        s
    }

    /// GETUSER `keys`: `~*` or the patterns joined by spaces.
    pub fn keys_text(&self) -> String {
        if self.allkeys {
            return "~*".to_string();
        }
        let parts: Vec<String> = self
            .keys
            .iter()
            .map(|(p, f)| key_pattern_text(p, *f))
            .collect();
        parts.join(" ")
    }

    /// GETUSER `channels`: `&*` or the patterns joined by spaces.
    pub fn channels_text(&self) -> String {
        if self.allchannels {
            return "&*".to_string();
        }
        let parts: Vec<String> = self
            .channels
            .iter()
            .map(|c| format!("&{}", String::from_utf8_lossy(c)))
            .collect();
        parts.join(" ")
    }

    /// `ACLDescribeSelectorCommandRules`: `+@all`/`-@all`, then best-fitting categories, then
    /// single commands (in table order; Redis walks its command dict, whose order is random).
    pub fn describe_commands(&self) -> String {
        let additive = self.bits & (1u128 << FUTURE_BIT) == 0;
        let mut rules = String::from(if additive { "-@all " } else { "+@all " });
        let mut fake = Selector::new(false);
        fake.all_commands(!additive);
        let mut temp = Selector::new(false);
        temp.bits = self.bits;
        let mut applied = [false; 32];
        loop {
            let mut best: Option<usize> = None;
            let (mut mindiff, mut maxsame) = (usize::MAX, 0usize);
            for (j, cat) in ACL_CATEGORIES.iter().enumerate() {
                if applied.get(j).copied().unwrap_or(true) {
                    continue;
                }
                let (on, off) = temp.count_category(cat);
                let (diff, same) = if additive { (off, on) } else { (on, off) };
                if same > diff && (diff < mindiff || (diff == mindiff && same > maxsame)) {
                    best = Some(j);
                    mindiff = diff;
                    maxsame = same;
                }
            }
            let Some(j) = best else { break };
            let Some(cat) = ACL_CATEGORIES.get(j) else {
                break;
            };
            fake.set_category(cat, additive);
            temp.set_category(cat, !additive);
            rules.push_str(if additive { "+@" } else { "-@" });
            rules.push_str(cat);
            rules.push(' ');
            if let Some(a) = applied.get_mut(j) {
                *a = true;
            }
        }
        for cmd in COMMANDS {
            self.describe_single(cmd, &mut fake, &mut rules);
        }
        rules.pop();
        rules
    }

    fn describe_single(&self, cmd: &CommandSpec, fake: &mut Selector, rules: &mut String) {
        let Some(i) = index_of(cmd) else { return };
        let userbit = self.has(i);
        if userbit != fake.has(i) {
            rules.push(if userbit { '+' } else { '-' });
            rules.push_str(cmd.name);
            rules.push(' ');
            fake.change_perm(cmd, userbit);
        }
        for sub in cmd.subcommands {
            self.describe_single(sub, fake, rules);
        }
        if !userbit {
            if let Some((_, args)) = self.firstargs.iter().find(|(id, _)| *id == i) {
                for a in args {
                    rules.push('+');
                    rules.push_str(cmd.name);
                    rules.push('|');
                    rules.push_str(&String::from_utf8_lossy(a));
                    rules.push(' ');
                }
            }
        }
    }

    /// Commands (and subcommands) of a category that are allowed / denied.
    fn count_category(&self, cat: &str) -> (usize, usize) {
        let (mut on, mut off) = (0, 0);
        for (i, s) in all_specs().enumerate() {
            if s.in_category(cat) {
                if self.has(i) {
                    on += 1;
                } else {
                    off += 1;
                }
            }
        }
        (on, off)
    }
}

fn key_pattern_text(p: &[u8], flags: u8) -> String {
    let prefix = match flags {
        KEY_READ => "%R~",
        KEY_WRITE => "%W~",
        _ => "~",
    };
    format!("{prefix}{}", String::from_utf8_lossy(p))
}

/// `ACLStringHasSpaces`: C `isspace` or NUL.
pub fn has_spaces(s: &[u8]) -> bool {
    s.iter()
        .any(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0))
}

/// `ACLCheckChannelAgainstList`: a PSUBSCRIBE pattern must equal an allowed pattern; a
/// channel name is glob-matched.
pub fn channel_allowed(list: &[Vec<u8>], channel: &[u8], is_pattern: bool) -> bool {
    list.iter().any(|p| {
        if is_pattern {
            p == channel
        } else {
            glob_match(p, channel, false)
        }
    })
}
