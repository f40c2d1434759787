//! Reusable UI pieces.

pub mod bell;
pub mod confirm_dialog;
pub mod copy;
pub mod data_list;
pub mod form_field;
pub mod form_state;
pub mod notice;
pub mod pagination;
pub mod preference_card;
pub mod record_page;
pub mod theme;
pub mod toast;
