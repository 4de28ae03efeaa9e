pub mod audit;
pub mod auth;
pub mod health;
pub mod openapi_json;
pub mod projects;
pub mod users;
