//! Business hours on inboxes (issue 15): Chatwoot's `working_hours_enabled`,
//! `out_of_office_message`, `timezone` and `working_hours`, stored, shown and validated.

use super::{assert_forbidden, assert_invalid, ok};
use crate::support;
use axum::http::Method;
use serde_json::{json, Value};

fn day(working_hours: &Value, day_of_week: usize) -> &Value {
    let entry = &working_hours[day_of_week];
    assert_eq!(entry["day_of_week"], day_of_week, "{working_hours}");
    entry
}

#[tokio::test]
async fn business_hours_are_stored_and_shown_in_chatwoots_shape() {
    support::on_each_backend(async |app| {
        let one = app.api(&format!("inboxes/{}", app.acme.inbox_id));
        let before = ok(&app.get(&one, &app.admin).await);
        assert_eq!(before["working_hours_enabled"], false);
        assert_eq!(before["timezone"], "UTC");
        assert_eq!(before["out_of_office_message"], Value::Null);
        // Chatwoot's default week: Sunday and Saturday closed, weekdays 9:00 to 17:00.
        let week = &before["working_hours"];
        assert_eq!(week.as_array().map(Vec::len), Some(7), "{week}");
        assert_eq!(
            day(week, 0),
            &json!({"day_of_week": 0, "closed_all_day": true, "open_hour": null,
                    "open_minutes": null, "close_hour": null, "close_minutes": null,
                    "open_all_day": false})
        );
        assert_eq!(
            day(week, 3),
            &json!({"day_of_week": 3, "closed_all_day": false, "open_hour": 9,
                    "open_minutes": 0, "close_hour": 17, "close_minutes": 0,
                    "open_all_day": false})
        );

        let updated = ok(&app
            .patch(
                &one,
                &app.admin,
                &json!({"inbox": {"working_hours_enabled": true,
                "out_of_office_message": "  We are closed, back soon  ",
                "timezone": "Europe/Berlin",
                "working_hours": [
                    {"day_of_week": 1, "open_hour": 8, "open_minutes": 30,
                     "close_hour": 12, "close_minutes": 15},
                    {"day_of_week": 6, "open_all_day": true}
                ]}}),
            )
            .await);
        assert_eq!(updated["working_hours_enabled"], true);
        assert_eq!(updated["out_of_office_message"], "We are closed, back soon");
        assert_eq!(updated["timezone"], "Europe/Berlin");
        super::join(&app, app.acme.inbox_id, &app.agent).await;
        let shown = ok(&app.get(&one, &app.agent).await);
        for view in [&updated, &shown] {
            let week = &view["working_hours"];
            assert_eq!(day(week, 1)["open_hour"], 8);
            assert_eq!(day(week, 1)["open_minutes"], 30);
            assert_eq!(day(week, 1)["close_hour"], 12);
            assert_eq!(day(week, 1)["close_minutes"], 15);
            assert_eq!(day(week, 6)["open_all_day"], true);
            assert_eq!(day(week, 6)["close_hour"], 23);
            assert_eq!(day(week, 6)["close_minutes"], 59);
            // Days not given stay as they were.
            assert_eq!(day(week, 2)["open_hour"], 9);
            assert_eq!(day(week, 0)["closed_all_day"], true);
            assert_eq!(view["timezone"], "Europe/Berlin");
        }
        // The Client API tells a client the same hours.
        let public = ok(&app
            .request(
                Method::GET,
                &format!(
                    "/public/api/v1/inboxes/{}",
                    updated["inbox_identifier"].as_str().unwrap()
                ),
                None,
                None,
            )
            .await);
        assert_eq!(public["working_hours_enabled"], true);
        assert_eq!(public["timezone"], "Europe/Berlin");
        assert_eq!(public["working_hours"], updated["working_hours"]);

        // A blank message clears it; switching off keeps the week.
        let off = ok(&app
            .patch(
                &one,
                &app.admin,
                &json!({"working_hours_enabled": false, "out_of_office_message": " "}),
            )
            .await);
        assert_eq!(off["working_hours_enabled"], false);
        assert_eq!(off["out_of_office_message"], Value::Null);
        assert_eq!(off["working_hours"], updated["working_hours"]);

        // A new inbox can be created with its hours.
        let created = ok(&app
            .post(
                &app.api("inboxes"),
                &app.admin,
                &json!({"name": "Night desk", "working_hours_enabled": true,
                        "timezone": "Asia/Tokyo",
                        "working_hours": [{"day_of_week": 0, "open_all_day": true}]}),
            )
            .await);
        assert_eq!(created["working_hours_enabled"], true);
        assert_eq!(created["timezone"], "Asia/Tokyo");
        assert_eq!(day(&created["working_hours"], 0)["open_all_day"], true);
    })
    .await;
}

#[tokio::test]
async fn bad_business_hours_are_refused_naming_the_field() {
    support::on_each_backend(async |app| {
        let one = app.api(&format!("inboxes/{}", app.acme.inbox_id));
        let hours = |entry: Value| json!({"working_hours": [entry]});
        let monday = |extra: Value| {
            let mut entry = json!({"day_of_week": 1, "open_hour": 9, "open_minutes": 0,
                                   "close_hour": 17, "close_minutes": 0});
            entry
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            hours(entry)
        };
        for (body, field) in [
            (json!({"timezone": "Mars/Olympus_Mons"}), "timezone"),
            (json!({"timezone": ""}), "timezone"),
            (json!({"working_hours": "all week"}), "working_hours"),
            (
                hours(json!({"day_of_week": 7, "closed_all_day": true})),
                "day_of_week",
            ),
            (hours(json!({"closed_all_day": true})), "day_of_week"),
            (monday(json!({"open_hour": 24})), "open_hour"),
            (monday(json!({"close_hour": -1})), "close_hour"),
            (monday(json!({"open_minutes": 60})), "open_minutes"),
            (monday(json!({"close_minutes": "ten"})), "close_minutes"),
            (monday(json!({"close_hour": 8})), "close_hour"),
            (monday(json!({"close_hour": 9})), "close_hour"),
            (
                monday(json!({"closed_all_day": true, "open_all_day": true})),
                "open_all_day",
            ),
            (monday(json!({"open_all_day": "yes"})), "open_all_day"),
            (
                json!({"working_hours_enabled": "sometimes"}),
                "working_hours_enabled",
            ),
        ] {
            assert_invalid(&app.patch(&one, &app.admin, &body).await, field);
        }
        // Nothing refused was stored.
        let shown = ok(&app.get(&one, &app.admin).await);
        assert_eq!(shown["timezone"], "UTC");
        assert_eq!(shown["working_hours"][1]["close_hour"], 17);
        // Agents cannot change an inbox's hours.
        assert_forbidden(
            &app.patch(&one, &app.agent, &json!({"working_hours_enabled": true}))
                .await,
        );
    })
    .await;
}
