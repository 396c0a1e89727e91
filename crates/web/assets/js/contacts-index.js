// The contacts list: a plain form and links, served whole by the server; this only says the
// page is ready (for tests, as every page script does).

document.body.dataset.ready = "true";
