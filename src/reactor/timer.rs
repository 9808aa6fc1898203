//! A hierarchical timing wheel keyed by `u64` millisecond deadlines: what the reactor sleeps
//! on (its [`TimerWheel::next_deadline`] is the poll timeout) and what wakes the core's tick.
//!
//! Six levels of 64 slots at 1 ms resolution cover 2^36 ms (about 2.2 years) ahead of the
//! wheel's current time; later deadlines wait in an overflow list that is re-examined when
//! the wheel is otherwise empty and time reaches the 2^36 ms block of the earliest of them. Entries live in a [`Slab`] and are threaded on
//! intrusive doubly linked lists (one per slot), so insert and cancel are O(1) and nothing
//! allocates once the slab has grown to the peak number of timers.
//!
//! Timers fire in deadline order, except that a timer inserted with a deadline the wheel
//! has already reached fires on the next poll, before the others. A [`TimerId`] carries a
//! generation, so cancelling a timer that already fired (whose slab slot was reused) is a
//! harmless no-op.

use slab::Slab;

const SLOT_BITS: u32 = 6;
const SLOTS: usize = 1 << SLOT_BITS;
const SLOT_MASK: u64 = SLOTS as u64 - 1;
const LEVELS: usize = 6;
/// Span of the whole wheel: deadlines whose distance (in the XOR sense) needs more bits go
/// to the overflow list.
const WHEEL_BITS: u32 = SLOT_BITS * LEVELS as u32;
const WHEEL_MASK: u64 = (1 << WHEEL_BITS) - 1;

/// Handle to a scheduled timer, valid until it fires or is cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimerId {
    key: usize,
    gen: u64,
}

/// Which list an entry is threaded on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Slot {
        level: usize,
        slot: usize,
    },
    /// Deadline reached; fires on the next poll.
    Due,
    /// Beyond the wheel's span.
    Overflow,
}

#[derive(Debug, Clone, Copy, Default)]
struct List {
    head: Option<usize>,
    tail: Option<usize>,
}

#[derive(Debug)]
struct Entry<T> {
    deadline: u64,
    gen: u64,
    place: Place,
    prev: Option<usize>,
    next: Option<usize>,
    value: T,
}

/// The wheel. `T` is whatever the owner wants back when a timer fires.
#[derive(Debug)]
pub struct TimerWheel<T> {
    entries: Slab<Entry<T>>,
    /// On the heap: inline, the 12 KB of slots made every struct holding a wheel (the
    /// reactor) large, and each move of it cost stack that stays resident.
    slots: Box<[[List; SLOTS]]>,
    /// Bit `s` of `occupied[l]` is set when `slots[l][s]` is non-empty.
    occupied: [u64; LEVELS],
    due: List,
    overflow: List,
    /// The wheel's current time: every timer with a deadline up to here is in `due`.
    elapsed: u64,
    next_gen: u64,
}

impl<T> TimerWheel<T> {
    /// An empty wheel whose current time is `now`.
    pub fn new(now: u64) -> Self {
        TimerWheel {
            entries: Slab::new(),
            slots: vec![[List::default(); SLOTS]; LEVELS].into_boxed_slice(),
            occupied: [0; LEVELS],
            due: List::default(),
            overflow: List::default(),
            elapsed: now,
            next_gen: 0,
        }
    }

    /// Number of scheduled timers.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The wheel's current time (the latest `now` it was polled with).
    pub fn now(&self) -> u64 {
        self.elapsed
    }

    /// Schedules `value` for `deadline` (ms). A deadline not after the wheel's current time
    /// fires on the next poll.
    pub fn insert(&mut self, deadline: u64, value: T) -> TimerId {
        let gen = self.next_gen;
        self.next_gen += 1;
        let key = self.entries.insert(Entry {
            deadline,
            gen,
            place: Place::Due,
            prev: None,
            next: None,
            value,
        });
        let place = self.place_for(deadline);
        self.link(key, place);
        TimerId { key, gen }
    }

    /// Unschedules a timer, returning its value; `None` if it already fired or was cancelled.
    pub fn cancel(&mut self, id: TimerId) -> Option<T> {
        if self.entries.get(id.key)?.gen != id.gen {
            return None;
        }
        self.unlink(id.key);
        self.entries.try_remove(id.key).map(|e| e.value)
    }

    /// The deadline of a scheduled timer.
    pub fn deadline(&self, id: TimerId) -> Option<u64> {
        self.entries
            .get(id.key)
            .filter(|e| e.gen == id.gen)
            .map(|e| e.deadline)
    }

    /// The earliest deadline of any scheduled timer (possibly already passed): how long the
    /// reactor may sleep.
    pub fn next_deadline(&self) -> Option<u64> {
        if self.due.head.is_some() {
            return self.min_deadline(self.due);
        }
        if let Some((level, slot, _)) = self.next_slot() {
            return self.min_deadline(self.slot_list(level, slot));
        }
        self.min_deadline(self.overflow)
    }

    /// Removes and returns one timer whose deadline is `<= now`, moving the wheel's time
    /// forward to `now` once there is none left. Call until it returns `None`.
    pub fn poll_expired(&mut self, now: u64) -> Option<T> {
        loop {
            if let Some(key) = self.due.head {
                self.unlink(key);
                return self.entries.try_remove(key).map(|e| e.value);
            }
            if let Some((level, slot, start)) = self.next_slot() {
                if start > now {
                    break;
                }
                let list = std::mem::take(self.slot_list_mut(level, slot));
                if let Some(bits) = self.occupied.get_mut(level) {
                    *bits &= !(1u64 << slot);
                }
                self.elapsed = self.elapsed.max(start);
                self.replace_chain(list.head);
                continue;
            }
            // The wheel is empty. Overflow timers become placeable at the start of the
            // 2^36 ms block holding the earliest of them; jump straight there.
            if let Some(first) = self.min_deadline(self.overflow) {
                let block_start = first & !WHEEL_MASK;
                if block_start <= now {
                    let list = std::mem::take(&mut self.overflow);
                    self.elapsed = self.elapsed.max(block_start);
                    self.replace_chain(list.head);
                    continue;
                }
            }
            break;
        }
        // Nothing is due up to `now`, so no slot starts before it: moving time forward
        // keeps every entry in the slot where `next_slot` will look for it.
        self.elapsed = self.elapsed.max(now);
        None
    }

    /// Fires every timer whose deadline is `<= now`, in order, through `fire`.
    pub fn advance(&mut self, now: u64, mut fire: impl FnMut(T)) {
        while let Some(value) = self.poll_expired(now) {
            fire(value);
        }
    }

    // ---- internals ---------------------------------------------------------------------------

    /// Where a timer with `deadline` belongs relative to the current time.
    fn place_for(&self, deadline: u64) -> Place {
        if deadline <= self.elapsed {
            return Place::Due;
        }
        // The highest bit where deadline and now differ picks the level: both agree above
        // it, so the deadline lies in a later slot of the current rotation of that level.
        let masked = (self.elapsed ^ deadline) | SLOT_MASK;
        let level = ((63 - masked.leading_zeros()) / SLOT_BITS) as usize;
        if level >= LEVELS {
            return Place::Overflow;
        }
        let slot = ((deadline >> (level as u32 * SLOT_BITS)) & SLOT_MASK) as usize;
        Place::Slot { level, slot }
    }

    /// The earliest non-empty slot: (level, slot, start time). Lower levels always hold
    /// earlier deadlines than higher ones.
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        for (level, &bits) in self.occupied.iter().enumerate() {
            if bits == 0 {
                continue;
            }
            let shift = level as u32 * SLOT_BITS;
            let current = (self.elapsed >> shift) & SLOT_MASK;
            let distance = u64::from(bits.rotate_right(current as u32).trailing_zeros());
            let slot = (current + distance) & SLOT_MASK;
            let level_start = self.elapsed & !((1u64 << (shift + SLOT_BITS)) - 1);
            return Some((level, slot as usize, level_start + (slot << shift)));
        }
        None
    }

    fn min_deadline(&self, list: List) -> Option<u64> {
        let mut best: Option<u64> = None;
        let mut cursor = list.head;
        while let Some(entry) = cursor.and_then(|k| self.entries.get(k)) {
            best = Some(best.map_or(entry.deadline, |b| b.min(entry.deadline)));
            cursor = entry.next;
        }
        best
    }

    fn slot_list(&self, level: usize, slot: usize) -> List {
        self.slots
            .get(level)
            .and_then(|l| l.get(slot))
            .copied()
            .unwrap_or_default()
    }

    fn slot_list_mut(&mut self, level: usize, slot: usize) -> &mut List {
        match self.slots.get_mut(level).and_then(|l| l.get_mut(slot)) {
            Some(list) => list,
            // Unreachable: levels and slots are always in range. Fall back to the due list
            // rather than panic.
            None => &mut self.due,
        }
    }

    fn list_mut(&mut self, place: Place) -> &mut List {
        match place {
            Place::Slot { level, slot } => self.slot_list_mut(level, slot),
            Place::Due => &mut self.due,
            Place::Overflow => &mut self.overflow,
        }
    }

    /// Re-files every entry of a detached chain relative to the current time.
    fn replace_chain(&mut self, mut cursor: Option<usize>) {
        while let Some(key) = cursor {
            let Some(entry) = self.entries.get(key) else {
                break;
            };
            cursor = entry.next;
            let place = self.place_for(entry.deadline);
            self.link(key, place);
        }
    }

    /// Appends `key` to the list for `place`.
    fn link(&mut self, key: usize, place: Place) {
        let tail = self.list_mut(place).tail;
        if let Some(entry) = self.entries.get_mut(key) {
            entry.place = place;
            entry.prev = tail;
            entry.next = None;
        }
        match tail.and_then(|t| self.entries.get_mut(t)) {
            Some(prev) => prev.next = Some(key),
            None => self.list_mut(place).head = Some(key),
        }
        self.list_mut(place).tail = Some(key);
        if let Place::Slot { level, slot } = place {
            if let Some(bits) = self.occupied.get_mut(level) {
                *bits |= 1u64 << slot;
            }
        }
    }

    /// Takes `key` off its list (the entry stays in the slab).
    fn unlink(&mut self, key: usize) {
        let Some(entry) = self.entries.get(key) else {
            return;
        };
        let (place, prev, next) = (entry.place, entry.prev, entry.next);
        match prev.and_then(|p| self.entries.get_mut(p)) {
            Some(p) => p.next = next,
            None => self.list_mut(place).head = next,
        }
        match next.and_then(|n| self.entries.get_mut(n)) {
            Some(n) => n.prev = prev,
            None => self.list_mut(place).tail = prev,
        }
        if let Place::Slot { level, slot } = place {
            if self.slot_list(level, slot).head.is_none() {
                if let Some(bits) = self.occupied.get_mut(level) {
                    *bits &= !(1u64 << slot);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
