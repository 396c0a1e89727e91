//! Dimensions and thumbnails of uploaded pictures with the `image` crate, bounded in pixels
//! and memory so a decompression bomb is refused instead of exhausting the server. Blocking:
//! callers run it in `spawn_blocking` under a timeout.

use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The widest and tallest picture decoded (larger ones are refused, not thumbnailed).
pub const MAX_SIDE: u32 = 12_000;
/// The most memory one decode may allocate.
pub const MAX_ALLOC: u64 = 256 * 1024 * 1024;
/// A thumbnail's longest side (Chatwoot's `thumb` variant is 250×250).
pub const THUMB_SIDE: u32 = 250;

/// A decoded picture's size and its PNG thumbnail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub thumbnail: Vec<u8>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PictureError {
    /// Past [`MAX_SIDE`] or [`MAX_ALLOC`]: a decompression bomb, or simply too big.
    #[error("the image is larger than {MAX_SIDE}×{MAX_SIDE} pixels")]
    TooLarge,
    /// Not a picture this server decodes (SVG, a corrupt file…): kept as a plain file.
    #[error("the image could not be decoded")]
    Undecodable,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// Reads the picture at `path`: its dimensions first (a header read, refused when too large),
/// then a decode and a thumbnail.
pub fn inspect(path: &std::path::Path) -> Result<Picture, PictureError> {
    let open = || -> Result<ImageReader<_>, PictureError> {
        let mut reader = ImageReader::open(path)
            .and_then(|r| r.with_guessed_format())
            .map_err(|_| PictureError::Undecodable)?;
        if reader.format().is_none() {
            return Err(PictureError::Undecodable);
        }
        reader.limits(limits());
        Ok(reader)
    };
    let (width, height) = open()?.into_dimensions().map_err(classify)?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(PictureError::TooLarge);
    }
    let decoded = open()?.decode().map_err(classify)?;
    let mut thumbnail = Vec::new();
    decoded
        .thumbnail(THUMB_SIDE, THUMB_SIDE)
        .write_to(&mut Cursor::new(&mut thumbnail), ImageFormat::Png)
        .map_err(|_| PictureError::Undecodable)?;
    Ok(Picture {
        width,
        height,
        thumbnail,
    })
}

fn classify(error: image::ImageError) -> PictureError {
    match error {
        image::ImageError::Limits(_) => PictureError::TooLarge,
        _ => PictureError::Undecodable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("picture-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn a_picture_gets_its_size_and_a_bounded_thumbnail() {
        let path = write_temp("ok.png", &png(800, 400));
        let picture = inspect(&path).unwrap();
        assert_eq!((picture.width, picture.height), (800, 400));
        let thumb = image::load_from_memory(&picture.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (250, 125));
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn a_decompression_bomb_is_refused_without_decoding() {
        // A valid PNG header claiming 100000×100000 pixels, in a few bytes.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32fast::hash(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let path = write_temp("bomb.png", &bomb);
        assert_eq!(inspect(&path), Err(PictureError::TooLarge));
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn text_and_svg_are_not_pictures() {
        let path = write_temp(
            "x.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        );
        assert_eq!(inspect(&path), Err(PictureError::Undecodable));
        std::fs::remove_file(path).unwrap();
    }
}
