//! The upload row's request: a message carrying a 1 MB picture, as a reply box sends it.

use hyper::body::Bytes;
use image::{ImageEncoder, Rgb, RgbImage};

pub const BOUNDARY: &str = "----switchboard-bench-upload";

/// A PNG of about 1 MB: 600 × 600 pixels of noise, which PNG cannot compress, so the server
/// stores, decodes and thumbnails a real megabyte.
pub fn one_megabyte_png() -> Vec<u8> {
    // A fixed xorshift: the same picture every run, no randomness crate needed for noise.
    let mut state: u32 = 0x9e37_79b9;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    let picture = RgbImage::from_fn(600, 600, |_, _| {
        let [r, g, b, _] = next().to_le_bytes();
        Rgb([r, g, b])
    });
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(picture.as_raw(), 600, 600, image::ExtendedColorType::Rgb8)
        .expect("a picture in memory always encodes");
    png
}

/// The multipart body of a private note with `png` as its one attachment.
pub fn multipart(png: &[u8]) -> Bytes {
    let mut body = Vec::with_capacity(png.len() + 512);
    for (name, value) in [("content", "load picture"), ("private", "true")] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments[]\"; \
             filename=\"load.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(png);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    Bytes::from(body)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_picture_weighs_about_a_megabyte() {
        let png = super::one_megabyte_png();
        assert!((1_000_000..1_200_000).contains(&png.len()), "{}", png.len());
        assert!(super::multipart(&png).len() > png.len());
    }
}
