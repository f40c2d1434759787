//! Reusable UI pieces.

pub mod confirm_dialog;
pub mod pagination;
pub mod theme;
pub mod toast;
