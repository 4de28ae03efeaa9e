//! Adapters to the systems outside Linli (SMS providers, mail servers, payment channels, devices)
//! and a simulator for each that speaks the same protocol, so tests and the demo run the real
//! adapter code against a local server. An adapter turns a request the business modules already
//! decided on into the outside system's protocol and its answer into a typed result, classifying
//! failures so the caller knows whether to retry. This crate never depends on a business module:
//! a module that needs an outside system declares its own trait and the binary wires an adapter.

pub mod email;
mod http;
pub mod pay;
pub mod sms;
