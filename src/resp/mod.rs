//! The RESP wire format: frames parsed zero-copy from a read buffer ([`Frame`]), client
//! requests (multibulk and inline), and reply encoding for RESP2 and RESP3 ([`encode`]).

pub mod encode;
pub mod frame;

pub use encode::{Proto, ReplyWriter};
pub use frame::Frame;
