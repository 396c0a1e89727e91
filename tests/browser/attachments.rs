//! Files in the workspace: the reply box sends a picture chosen with the picker and a PDF
//! pasted into it (after one more file is removed again), and the thread shows the picture
//! inline and the PDF as a download chip.

use crate::harness::{conversation_page, Browser, Frame};
use crate::support::TestApp;
use serde_json::{json, Value};

const PASTE_PDF: &str = "const t = document.getElementById('reply-content');
const data = new DataTransfer();
data.items.add(new File(['%PDF-1.4\\n%%EOF\\n'], 'invoice.pdf', { type: 'application/pdf' }));
data.items.add(new File(['scratch'], 'scratch.txt', { type: 'text/plain' }));
t.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
return document.querySelectorAll('#reply-attachments li').length;";

const LISTED: &str = "return [...document.querySelectorAll('#reply-attachments li')].map(li => li.dataset.fileName);";

const THREAD: &str = "const img = document.querySelector('#thread .attachment-image img');
const chip = document.querySelector('#thread .attachment-chip');
return {
  image: !!img && img.complete && img.naturalWidth > 0,
  chip: chip ? chip.querySelector('.attachment-name').textContent : null,
  download: chip ? chip.hasAttribute('download') : false,
};";

#[tokio::test]
async fn the_reply_box_sends_a_picked_picture_and_a_pasted_pdf_and_the_thread_shows_both() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.agent.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    let top = Frame::top();

    let picture = std::env::temp_dir().join(format!("reply-{}.png", rand::random::<u64>()));
    image::RgbImage::from_pixel(300, 200, image::Rgb([30, 160, 90]))
        .save(&picture)
        .unwrap();
    browser
        .find("#reply-files")
        .await
        .send_keys(&picture.display().to_string())
        .await
        .expect("the picker takes a file");
    assert_eq!(browser.run(&top, PASTE_PDF).await, json!(3));
    browser
        .click("#reply-attachments li[data-file-name='scratch.txt'] button")
        .await;
    let listed = browser.run(&top, LISTED).await;
    let names: Vec<String> = serde_json::from_value(listed).unwrap();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"invoice.pdf".to_owned()), "{names:?}");

    browser.click("#reply-send").await;
    browser
        .eventually(&top, THREAD, "the thread to show both files", |v| {
            v["image"] == Value::Bool(true) && v["chip"] == json!("invoice.pdf")
        })
        .await;
    assert_eq!(browser.run(&top, THREAD).await["download"], json!(true));
    assert_eq!(
        browser
            .run(
                &top,
                "return document.getElementById('reply-attachments').hidden;"
            )
            .await,
        json!(true),
        "the sent files left the reply box"
    );
    std::fs::remove_file(picture).unwrap();
}
