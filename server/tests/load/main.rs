//! The load test, in a process of its own: its timings must measure the server, not the
//! integration suite's other servers sharing the process and its two cores. (Run inside the
//! suite, a page now and then waited out the 60 s request timeout; alone, under the same CPU
//! load from other processes, it never did.)

#[path = "../api/common/mod.rs"]
#[macro_use]
mod common;

mod reads_and_writes;
