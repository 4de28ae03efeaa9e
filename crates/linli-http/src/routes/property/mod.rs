//! Projects, buildings, units and houses (`linli-property`).

pub mod buildings;
pub mod houses;
pub mod projects;
