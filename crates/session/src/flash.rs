//! Flash messages: notes for the next page ("Saved.", "Wrong password"),
//! kept in the session until read.

use serde::{Deserialize, Serialize};

/// How a flash message should look.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Level {
    /// Neutral information.
    Info,
    /// Something went well.
    Success,
    /// Something to be careful about.
    Warning,
    /// Something went wrong.
    Error,
}

impl Level {
    /// The level's name in lowercase, e.g. for a CSS class.
    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Success => "success",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// One flash message.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Flash {
    /// How it should look.
    pub level: Level,
    /// What it says.
    pub message: String,
}
