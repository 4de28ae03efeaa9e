pub mod audit;
pub mod auth;
pub mod buildings;
pub mod health;
pub mod houses;
pub mod projects;
pub mod served_elsewhere;
pub mod users;
