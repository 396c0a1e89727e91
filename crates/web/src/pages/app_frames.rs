//! What a page tells `app-bridge.js` about one dashboard app: its frames (URLs with their
//! placeholders filled, and the origins the bridge pins its messages to) and the actions it may
//! ask for. Conversation tabs and sidebar pages carry the same attributes.

use domain::placeholder::{substitute, Values};
use domain::DashboardApp;

pub struct AppFrames {
    pub id: i64,
    pub title: String,
    /// The actions the app may ask for, space-separated (`insert-reply notify`).
    pub allowed_actions: String,
    /// `[{"url": ..., "origin": ...}]`.
    pub frames_json: String,
}

impl AppFrames {
    pub fn new(app: &DashboardApp, values: &Values) -> Self {
        let frames: Vec<serde_json::Value> = app
            .content
            .iter()
            .map(|frame| serde_json::json!({"url": substitute(&frame.url, values), "origin": frame.origin()}))
            .collect();
        Self {
            id: app.id.get(),
            title: app.title.clone(),
            allowed_actions: app
                .allowed_actions
                .iter()
                .map(|action| action.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            frames_json: serde_json::Value::from(frames).to_string(),
        }
    }
}
