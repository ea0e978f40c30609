pub mod auth;
pub mod chart;
pub mod layout;
pub mod status_panel;
pub mod theme_toggle;
