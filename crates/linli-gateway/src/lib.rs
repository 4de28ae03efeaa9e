//! Adapters to the systems outside Linli (mail servers, SMS providers, payment channels, devices)
//! and the simulators that speak the same protocols for tests and the demo. An adapter turns a
//! request the business modules already decided on into the outside system's protocol and its
//! answer into a typed result, classifying failures so the caller knows whether to retry. This
//! crate never depends on business modules: they (or the binary) depend on it, never the reverse.

pub mod email;
