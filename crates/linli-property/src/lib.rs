//! Property: projects (项目/小区) and their structure: buildings (楼栋), units (单元) and houses
//! (房屋), the records every other module points at.

mod building;
mod house;
pub mod house_import;
mod house_query;
pub mod house_sheet;
pub mod house_state;
mod project;
mod service;
mod structure;

pub use building::{Building, BuildingKind, BuildingPatch, NewBuilding, NewUnit, Unit, UnitPatch};
pub use house::{House, HouseFields, HouseFilter, HousePatch, HouseState, HouseUsage, NewHouse, floor_ok};
pub use house_query::{HouseQuery, ShortLabel, house_label};
pub use project::{NewProject, Project, ProjectFields, ProjectKind, ProjectPatch};
pub use service::{ProjectRepo, ProjectService};
pub use structure::{BuildingNode, BuildingRepo, HouseRepo, ProjectStats, StructureRepo, StructureService, UnitNode};
