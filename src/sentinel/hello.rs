//! Hello messages on `__sentinel__:hello`: building and parsing the 8-field payload (§5, §9.4).
