pub mod attachments;
pub mod audit;
pub mod auth;
pub mod equipment;
pub mod health;
pub mod projects;
pub mod served_elsewhere;
pub mod users;
