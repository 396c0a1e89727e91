use super::ok;
use crate::support;
use axum::http::Method;

#[tokio::test]
async fn health_answers_ok_with_the_version_and_needs_no_token() {
    support::on_each_backend(async |app| {
        let res = app.request(Method::GET, "/health", None, None).await;
        let body = ok(&res);
        assert_eq!(body["status"], "ok");
        assert!(
            body["version"].as_str().is_some_and(|v| !v.is_empty()),
            "{body}"
        );
        assert_eq!(super::keys(&body), ["status", "version"]);
        assert!(res.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
    })
    .await;
}
