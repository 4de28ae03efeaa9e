//! The `linli` binary: configuration, the command line, wiring of services to storage, the HTTP
//! server and the job workers. Business rules live in the module crates, not here.

pub mod admin;
pub mod bench;
pub mod billing_cli;
pub mod channels;
pub mod cli;
pub mod config;
pub mod demo;
pub mod jobs;
pub mod server;
pub mod telemetry;
