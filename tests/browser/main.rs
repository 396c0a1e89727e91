//! Real-browser tests: headless Chromium driven through chromedriver (fantoccini), the
//! Switchboard pages served on one port and the dashboard apps under test on others, so the
//! cross-origin behaviour of the bridge is the browser's own.
//!
//! Without a chromedriver every test prints "browser: skipped, no chromedriver" and passes;
//! with `REQUIRE_BROWSER` set a missing chromedriver fails instead.

#[path = "../support/mod.rs"]
mod support;

mod app_actions;
mod app_protocol;
mod app_requests;
mod attachments;
mod bridge;
mod canned;
mod contacts;
mod control;
mod custom_attributes;
mod demo;
mod hardening;
mod harness;
mod live;
mod placements;
mod playground;
mod profile;
mod recorder;
mod sandbox;
mod sdk;
mod search;
mod settings;
mod tokens_and_theme;
mod widget;
mod widget_presence;
mod widget_read;
mod widget_setup;
mod workflow;
