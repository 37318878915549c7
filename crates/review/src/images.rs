//! Image inspection (stub until the images module lands).

/// The container format, from the bytes (never the extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// GIF.
    Gif,
    /// WebP.
    Webp,
    /// BMP.
    Bmp,
}

impl ImageFormat {
    /// The names the seeds use for it (`png`, `jpg`/`jpeg`, …).
    pub fn names(self) -> &'static [&'static str] {
        match self {
            ImageFormat::Png => &["png"],
            ImageFormat::Jpeg => &["jpg", "jpeg"],
            ImageFormat::Gif => &["gif"],
            ImageFormat::Webp => &["webp"],
            ImageFormat::Bmp => &["bmp"],
        }
    }
}

/// What an image is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImageInfo {
    /// Format from the bytes.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size in bytes.
    pub bytes: usize,
    /// Content of a QR code found in the image, if any.
    pub qr: Option<String>,
    /// 64-bit perceptual hash (difference hash) for near-duplicate detection.
    pub dhash: u64,
}

/// Why an image could not be inspected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The bytes are not an image of a supported format.
    #[error("not a PNG, JPEG, GIF, WebP or BMP image")]
    UnknownFormat,
    /// The image is damaged.
    #[error("cannot decode the image: {0}")]
    Decode(String),
}

/// Inspects image bytes.
pub fn inspect(_bytes: &[u8]) -> Result<ImageInfo, ImageError> {
    Err(ImageError::UnknownFormat)
}

/// Bits that differ between two hashes.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}
