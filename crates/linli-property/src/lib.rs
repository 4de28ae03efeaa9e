//! Property: projects (项目/小区) and their structure: buildings (楼栋), units (单元) and houses
//! (房屋), the records every other module points at.

mod building;
mod house;
pub mod house_sheet;
mod project;
mod service;
mod structure;

pub use building::{Building, BuildingKind, BuildingPatch, NewBuilding, NewUnit, Unit, UnitPatch};
pub use house::{House, HouseFields, HouseFilter, HousePatch, HouseState, HouseUsage, NewHouse, floor_ok};
pub use project::{NewProject, Project, ProjectFields, ProjectKind, ProjectPatch};
pub use service::{ProjectRepo, ProjectService};
pub use structure::{
    BuildingNode, EXPORT_MAX, ImportCounts, ProjectStats, StructureRepo, StructureService, UnitNode, report,
};
