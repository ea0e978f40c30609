pub mod calendar;
pub mod dashboard;
pub mod instagram_auth;
pub mod landing;
pub mod not_found;
pub mod signin;
