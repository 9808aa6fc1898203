//! Client-facing side: client bookkeeping, command dispatch and replies, pub/sub.
//! Sans-IO like the core: bytes in, bytes out, no sockets.
