//! Files in the workspace: the reply box sends a picture chosen with the picker and a PDF
//! pasted into it (after one more file is removed again), and the thread shows the picture
//! inline and the PDF as a download chip; an open dashboard app gets the files in its next
//! context, with links its own page can show.

use crate::harness::{conversation_page, create_app, Browser, Frame};
use crate::playground::playground_page;
use crate::recorder::{context_of, received, Recorder, COUNT};
use crate::support::{self, TestApp};
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

/// Uploads an SVG and an HTML file that each try to write to our origin's storage, then puts
/// every link to them in an `<iframe>`, `<object>`, `<embed>` and `<img>` of a page on our origin
/// that may frame anything on the web (the playground), and fetches each link to show it works.
const UPLOAD_HOSTILE: &str = "return (async () => {
  localStorage.removeItem('uploaded-script-ran');
  const svg = \"<svg xmlns='http://www.w3.org/2000/svg'><script>localStorage.setItem('uploaded-script-ran', 'svg')</script></svg>\";
  const html = \"<script>localStorage.setItem('uploaded-script-ran', 'html')</script>\";
  const form = new FormData();
  form.append('attachments[]', new File([svg], 'x.svg', { type: 'image/svg+xml' }));
  form.append('attachments[]', new File([html], 'x.html', { type: 'text/html' }));
  const res = await fetch(arguments_url, { method: 'POST', headers: { api_access_token: arguments_token }, body: form });
  const message = await res.json();
  const fetched = [];
  for (const a of message.attachments) {
    for (const tag of ['iframe', 'object', 'embed', 'img']) {
      const element = document.createElement(tag);
      if (tag === 'object') element.data = a.data_url; else element.src = a.data_url;
      document.body.appendChild(element);
    }
    const served = await fetch(a.data_url);
    fetched.push([served.status, (await served.text()).includes('uploaded-script-ran')]);
  }
  return fetched;
})();";

#[tokio::test]
async fn an_uploaded_svg_or_html_file_never_runs_script_on_our_origin() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&playground_page(&base, &app)).await;
    let top = Frame::top();
    let url = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    let script = UPLOAD_HOSTILE
        .replace("arguments_url", &json!(url).to_string())
        .replace("arguments_token", &json!(app.admin.token).to_string());
    assert_eq!(
        browser.run(&top, &script).await,
        json!([[200, true], [200, true]]),
        "both files are stored and served whole"
    );
    // The frames and images load on their own; give them time to run anything they would.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    browser
        .stays(
            &top,
            "return localStorage.getItem('uploaded-script-ran');",
            &Value::Null,
            "our origin's storage",
        )
        .await;
}

/// The newest context's attachments of the conversation's messages, each with the width its
/// `data_url` shows at in an `<img>` of the app's own page (signed links need no session).
const APP_ATTACHMENTS: &str = "return (async () => {
  const last = window.__received[window.__received.length - 1];
  const context = JSON.parse(last.data);
  const files = context.data.conversation.messages.flatMap(m => m.attachments || []);
  const shown = [];
  for (const a of files) {
    const img = new Image();
    const loaded = new Promise(resolve => { img.onload = () => resolve(img.naturalWidth); img.onerror = () => resolve(-1); });
    img.src = a.data_url;
    shown.push({ file_type: a.file_type, extension: a.extension, width: a.width, shown_width: await loaded });
  }
  return shown;
})();";

/// Posts a 120×80 PNG drawn on a canvas as a message's attachment; answers the status.
const SEND_PICTURE: &str = "return (async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 120; canvas.height = 80;
  canvas.getContext('2d').fillRect(0, 0, 120, 80);
  const png = await new Promise(resolve => canvas.toBlob(resolve, 'image/png'));
  const form = new FormData();
  form.append('attachments[]', new File([png], 'chart.png', { type: 'image/png' }));
  const res = await fetch(arguments_url, { method: 'POST', headers: { api_access_token: arguments_token }, body: form });
  return res.status;
})();";

#[tokio::test]
async fn a_dashboard_app_gets_a_sent_picture_in_its_context_and_can_show_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::new().await;
    let recorder = Recorder::start().await;
    let id = create_app(&app, &app.admin, "Recorder", &[recorder.url("f=files")]).await;
    let base = app.serve().await;
    browser.sign_in(&base, &app.admin.email).await;
    browser.open(&conversation_page(&base, &app)).await;
    browser.find("body[data-cable=\"open\"]").await;
    browser.open_tab(id).await;
    let frame = Frame::app(id, 0);
    browser
        .eventually(&frame, COUNT, "the first context", |v| {
            v.as_i64() >= Some(1)
        })
        .await;

    // The app's tab hides the reply box (Chatwoot's layout): the picture comes through the API.
    let url = app.api(&format!("conversations/{}/messages", app.acme.conversation));
    let script = SEND_PICTURE
        .replace("arguments_url", &json!(url).to_string())
        .replace("arguments_token", &json!(app.admin.token).to_string());
    assert_eq!(browser.run(&Frame::top(), &script).await, json!(200));
    let files = browser
        .eventually(&frame, APP_ATTACHMENTS, "a context with the picture", |v| {
            v.as_array().is_some_and(|files| !files.is_empty())
        })
        .await;
    let file = &files[0];
    assert_eq!(files.as_array().unwrap().len(), 1, "{files}");
    assert_eq!(file["file_type"], "image", "{file}");
    assert_eq!(file["extension"], "png", "{file}");
    assert_eq!(file["width"], 120, "{file}");
    assert_eq!(file["shown_width"], 120, "the app's page shows it: {file}");
    let messages = received(&browser, &frame).await;
    let context = context_of(messages.last().expect("a context"));
    assert_eq!(support::schema_errors(&context, None), Vec::<String>::new());
}
