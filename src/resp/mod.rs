//! The RESP wire format: frames parsed zero-copy from a read buffer ([`frame`]), client
//! requests (multibulk and inline, resumable) ([`request`]), and reply encoding for RESP2 and
//! RESP3 ([`encode`]). [`reference`] holds the naive oracle parsers the fast ones are tested
//! (and fuzzed) against.

mod differential;
pub mod encode;
pub mod frame;
mod num;
#[doc(hidden)]
pub mod reference;
pub mod request;

#[cfg(test)]
mod proptests;

pub use encode::{Proto, ReplyWriter};
pub use frame::{parse_frame, Frame, ProtocolError};
pub use request::{RequestError, RequestParser};
