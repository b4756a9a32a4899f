//! The HTTP contract: negotiation, statuses and limits over a real socket.
