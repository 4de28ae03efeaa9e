//! Property: projects (项目/小区) now; buildings, units and houses join with the basic
//! information module. Every other business row points at a project.

mod project;
mod service;

pub use project::{NewProject, Project, ProjectKind, ProjectPatch};
pub use service::{ProjectRepo, ProjectService};
