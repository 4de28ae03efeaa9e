//! Adapters to the systems outside Linli (SMS providers, mail servers, payment channels, devices)
//! and a simulator for each that speaks the same protocol, so tests and the demo run the real
//! adapter code against a local server. This crate never depends on a business module: a module
//! that needs an outside system declares its own trait and the binary wires an adapter from here.

pub mod sms;
