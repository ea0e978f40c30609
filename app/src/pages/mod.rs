pub mod api_tokens;
pub mod calendar;
pub mod control_room;
pub mod dashboard;
pub mod instagram_auth;
pub mod landing;
pub mod not_found;
pub mod signin;
