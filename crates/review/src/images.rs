//! Image inspection: what a listing's icon or screenshot really is.
//!
//! Stores reject listings for image problems the author cannot see from a
//! file name: a `.png` that is really a JPEG, a screenshot of the wrong pixel
//! size, a file over the byte limit, a QR code used as the logo (forbidden on
//! most platforms, since it sends users around the store), or the same
//! screenshot uploaded twice. So this module never trusts an extension: it
//! sniffs the format from the magic bytes, reads the pixel size from the
//! header, and only then decodes the pixels to look for a QR code and to
//! compute a perceptual hash.
//!
//! Listings are untrusted input, so decoding is defensive:
//!
//! * the size is read from the header first, and anything over
//!   [`MAX_PIXELS`] (50 megapixels) is refused before a single pixel is
//!   decoded, which defuses decompression bombs (a few kilobytes of PNG that
//!   inflate to gigabytes); the decoder also runs under an [`image::Limits`]
//!   memory budget;
//! * damaged data gives [`ImageError::Decode`], never a panic; the QR
//!   detector and the decoders are third-party code fed hostile bytes, so a
//!   panic inside them is caught and reported as a decode error as well;
//! * QR detection runs on a grayscale copy scaled down to at most
//!   [`QR_MAX_SIDE`] pixels on its longest side, so a huge screenshot costs
//!   about as much as a small one.
//!
//! The perceptual hash is a difference hash ("dHash"): the image is reduced
//! to 9×8 gray cells by area averaging, and each of the 64 bits says whether
//! a cell is brighter than its right-hand neighbour. Re-encoding, rescaling or
//! a small overlay barely changes it, so two hashes within a few bits of each
//! other (see [`hamming`]) are almost certainly the same screenshot. Where to
//! draw the line is the caller's business; ≤ 10 differing bits usually means
//! the same screenshot, while unrelated images differ in about 32.

use std::borrow::Cow;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

/// Largest image accepted, in pixels (50 megapixels); larger ones are refused before decoding.
pub const MAX_PIXELS: u64 = 50_000_000;

/// Memory the decoder may allocate for one image, in bytes.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// Longest side, in pixels, of the grayscale copy the QR detector looks at.
pub const QR_MAX_SIDE: u32 = 1024;

/// Smallest longest side, in pixels, of the copy the QR detector looks at (small icons are enlarged).
const QR_MIN_SIDE: u32 = 256;

/// What [`ImageInfo::qr`] holds when a QR code is found but its content cannot be read.
pub const UNDECODABLE_QR: &str = "(undecodable QR)";

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

    /// The format the magic bytes at the start of `bytes` announce, if any.
    fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageFormat::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(ImageFormat::Gif)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(ImageFormat::Webp)
        } else if bytes.starts_with(b"BM") {
            Some(ImageFormat::Bmp)
        } else {
            None
        }
    }

    /// The matching format of the `image` crate.
    fn to_image(self) -> image::ImageFormat {
        match self {
            ImageFormat::Png => image::ImageFormat::Png,
            ImageFormat::Jpeg => image::ImageFormat::Jpeg,
            ImageFormat::Gif => image::ImageFormat::Gif,
            ImageFormat::Webp => image::ImageFormat::WebP,
            ImageFormat::Bmp => image::ImageFormat::Bmp,
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
    /// 32×32 area-averaged luminance thumbnail, row by row, to confirm a
    /// near-duplicate found by the hash: screenshots of one app share their
    /// frame, so the coarse hash alone calls different panels the same.
    pub thumb: Vec<u8>,
}

/// Side of the confirmation thumbnail.
pub const THUMB_SIDE: usize = 32;

/// Whether two images are the same picture: close hashes and at most 3% of
/// thumbnail cells differing by more than 24 grey levels (re-encoding and
/// rescaling pass; a different panel or dialog does not).
pub fn same_picture(a: &ImageInfo, b: &ImageInfo) -> bool {
    if hamming(a.dhash, b.dhash) > 10 || a.thumb.len() != b.thumb.len() || a.thumb.is_empty() {
        return false;
    }
    let differing = a
        .thumb
        .iter()
        .zip(&b.thumb)
        .filter(|(x, y)| x.abs_diff(**y) > 24)
        .count();
    differing * 100 <= a.thumb.len() * 3
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

/// Inspects image bytes: format, size, QR code and perceptual hash.
pub fn inspect(bytes: &[u8]) -> Result<ImageInfo, ImageError> {
    inspect_with(bytes, true)
}

/// Inspects image bytes, looking for a QR code only when `qr` is set (the
/// QR passes are half the cost of a screenshot, and only logos need them).
pub fn inspect_with(bytes: &[u8], qr: bool) -> Result<ImageInfo, ImageError> {
    let format = ImageFormat::sniff(bytes).ok_or(ImageError::UnknownFormat)?;
    // The decoders and the QR detector are third-party code fed untrusted
    // bytes; a panic in them must not take the whole precheck down.
    catch_unwind(AssertUnwindSafe(|| inspect_format(bytes, format, qr))).unwrap_or_else(|_| {
        Err(ImageError::Decode(
            "the decoder failed on damaged data".to_string(),
        ))
    })
}

/// Bits that differ between two hashes (≤ 10 usually means the same screenshot).
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Decodes and analyses bytes whose format is already known.
fn inspect_format(
    bytes: &[u8],
    format: ImageFormat,
    want_qr: bool,
) -> Result<ImageInfo, ImageError> {
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.to_image());
    reader.limits(limits);
    // Creating the decoder reads the header only: the size is known before
    // any pixel is decoded.
    let decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(ImageError::Decode(format!(
            "{width}×{height} is {:.1} megapixels, over the limit of {} megapixels",
            pixels as f64 / 1e6,
            MAX_PIXELS / 1_000_000
        )));
    }
    if pixels == 0 {
        return Err(ImageError::Decode(format!(
            "the image is {width}×{height}, with no pixels"
        )));
    }
    if decoder.total_bytes() > MAX_ALLOC {
        return Err(ImageError::Decode(format!(
            "decoding needs {} bytes, over the limit of {MAX_ALLOC}",
            decoder.total_bytes()
        )));
    }
    let image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    let gray = Gray::from_image(image);
    Ok(ImageInfo {
        format,
        width,
        height,
        bytes: bytes.len(),
        qr: if want_qr { find_qr(&gray) } else { None },
        dhash: dhash(&gray),
        thumb: thumb(&gray),
    })
}

/// Turns an error of the `image` crate into ours.
fn decode_error(error: image::ImageError) -> ImageError {
    ImageError::Decode(error.to_string())
}

/// An 8-bit grayscale raster, row by row.
#[derive(Clone)]
struct Gray {
    /// Width in pixels.
    width: usize,
    /// Height in pixels.
    height: usize,
    /// `width * height` luminance values, 0 black, 255 white.
    pixels: Vec<u8>,
}

impl Gray {
    /// Grayscale copy of a decoded image, transparent parts composited over white.
    fn from_image(image: DynamicImage) -> Gray {
        let width = image.width() as usize;
        let height = image.height() as usize;
        let pixels = match image {
            DynamicImage::ImageLuma8(buf) => buf.into_raw(),
            DynamicImage::ImageRgb8(buf) => buf
                .as_raw()
                .chunks_exact(3)
                .map(|p| luma(p[0], p[1], p[2]))
                .collect(),
            DynamicImage::ImageRgba8(buf) => buf
                .as_raw()
                .chunks_exact(4)
                .map(|p| over_white(luma(p[0], p[1], p[2]), p[3]))
                .collect(),
            other if other.color().has_alpha() => other
                .to_luma_alpha8()
                .as_raw()
                .chunks_exact(2)
                .map(|p| over_white(p[0], p[1]))
                .collect(),
            other => other.to_luma8().into_raw(),
        };
        Gray {
            width,
            height,
            pixels,
        }
    }

    /// A copy reduced by an integer `factor` in both directions, each pixel the mean of its block.
    fn shrink(&self, factor: usize) -> Gray {
        let width = self.width.div_ceil(factor);
        let height = self.height.div_ceil(factor);
        let mut columns = vec![0u32; self.width];
        let mut pixels = Vec::with_capacity(width * height);
        for block in self.pixels.chunks(self.width * factor) {
            // Column sums first (a plain vector add), then the blocks.
            columns.fill(0);
            for row in block.chunks_exact(self.width) {
                for (sum, &v) in columns.iter_mut().zip(row) {
                    *sum += u32::from(v);
                }
            }
            let rows = (block.len() / self.width) as u32;
            pixels.extend(columns.chunks(factor).map(|run| {
                let count = rows * run.len() as u32;
                (run.iter().sum::<u32>() / count.max(1)) as u8
            }));
        }
        Gray {
            width,
            height,
            pixels,
        }
    }

    /// A copy enlarged by an integer `factor` in both directions (nearest neighbour).
    fn enlarge(&self, factor: usize) -> Gray {
        let width = self.width * factor;
        let mut pixels = Vec::with_capacity(width * self.height * factor);
        for row in self.pixels.chunks_exact(self.width) {
            let start = pixels.len();
            for &v in row {
                pixels.extend(std::iter::repeat_n(v, factor));
            }
            for _ in 1..factor {
                pixels.extend_from_within(start..start + width);
            }
        }
        Gray {
            width,
            height: self.height * factor,
            pixels,
        }
    }
}

/// Rec. 601 luma of an sRGB pixel, in integer arithmetic.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b)) >> 8) as u8
}

/// A gray value with opacity `alpha`, composited over a white background.
fn over_white(value: u8, alpha: u8) -> u8 {
    let (v, a) = (u32::from(value), u32::from(alpha));
    ((v * a + 255 * (255 - a) + 127) / 255) as u8
}

/// The content of the first QR code found in the image, or [`UNDECODABLE_QR`] if one is seen but not read.
///
/// Dark-on-light codes are looked for first, then light-on-dark ones, which
/// phone scanners read as well.
fn find_qr(gray: &Gray) -> Option<String> {
    let view = qr_view(gray);
    // A QR code needs a quiet zone around it; a logo cropped to the code has
    // none, so the detector sees the image on a light margin of its own.
    let margin = (view.width.max(view.height) / 16).max(8);
    let mut undecodable = false;
    for inverted in [false, true] {
        let dark = threshold(&view, inverted, margin);
        let width = dark.width;
        let mut prepared = rqrr::PreparedImage::prepare_from_bitmap(width, dark.height, |x, y| {
            dark.pixels[y * width + x] != 0
        });
        for grid in prepared.detect_grids() {
            let mut content = Vec::new();
            if grid.decode_to(&mut content).is_ok() {
                return Some(String::from_utf8_lossy(&content).into_owned());
            }
            undecodable = true;
        }
    }
    undecodable.then(|| UNDECODABLE_QR.to_string())
}

/// The copy of the image the QR detector looks at, scaled into its size range.
fn qr_view(gray: &Gray) -> Cow<'_, Gray> {
    let longest = gray.width.max(gray.height);
    let max_side = QR_MAX_SIDE as usize;
    let min_side = QR_MIN_SIDE as usize;
    if longest > max_side {
        Cow::Owned(gray.shrink(longest.div_ceil(max_side)))
    } else if longest < min_side {
        Cow::Owned(gray.enlarge(min_side / longest.max(1)))
    } else {
        Cow::Borrowed(gray)
    }
}

/// The dark modules (1) of the image on a light `margin`: rqrr's (quirc's) adaptive threshold.
///
/// Each pixel is compared with the sum of two running averages over about
/// an eighth of the width, one from the left and one from the right, as
/// `rqrr::PreparedImage::prepare` does. That function carries the averages
/// from row to row and divides per pixel, one long dependency chain that made
/// it the slowest step of an inspection; here each row starts from the
/// average of the light margin instead, so rows are independent and several
/// are computed side by side. With `inverted`, light pixels count as dark and
/// the other way round (the margin stays light in that sense).
fn threshold(gray: &Gray, inverted: bool, margin: usize) -> Gray {
    /// Rows computed side by side.
    const LANES: usize = 4;
    let width = gray.width + 2 * margin;
    let height = gray.height + 2 * margin;
    let window = (width / 8).max(1) as f32;
    let keep = (window - 1.0) / window;
    let scale = 0.95 / (2.0 * window);
    // The running average of an endless light margin.
    let light = 255.0 * window;
    let mut rows = vec![255f32; LANES * width];
    let mut sums = vec![0f32; LANES * width];
    let mut pixels = Vec::with_capacity(width * height);
    for first in (0..height).step_by(LANES) {
        let lanes = LANES.min(height - first);
        // Lane-interleaved copy of the rows: rows[x * LANES + lane].
        rows.fill(255.0);
        for lane in 0..lanes {
            let line = (first + lane)
                .checked_sub(margin)
                .and_then(|y| gray.pixels.get(y * gray.width..(y + 1) * gray.width));
            for (x, &v) in line.into_iter().flatten().enumerate() {
                rows[(x + margin) * LANES + lane] = f32::from(if inverted { 255 - v } else { v });
            }
        }
        let mut ahead = [light; LANES];
        for (sum, column) in sums.chunks_exact_mut(LANES).zip(rows.chunks_exact(LANES)) {
            for lane in 0..LANES {
                ahead[lane] = ahead[lane] * keep + column[lane];
                sum[lane] = ahead[lane];
            }
        }
        let mut back = [light; LANES];
        for (sum, column) in sums
            .chunks_exact_mut(LANES)
            .zip(rows.chunks_exact(LANES))
            .rev()
        {
            for lane in 0..LANES {
                back[lane] = back[lane] * keep + column[lane];
                sum[lane] += back[lane];
            }
        }
        for lane in 0..lanes {
            pixels.extend((0..width).map(|x| {
                let i = x * LANES + lane;
                u8::from(rows[i] < sums[i] * scale)
            }));
        }
    }
    Gray {
        width,
        height,
        pixels,
    }
}

/// The 32×32 area-averaged luminance thumbnail.
fn thumb(gray: &Gray) -> Vec<u8> {
    let n = THUMB_SIDE;
    let span = |cell: usize, len: usize| -> (usize, usize) {
        let start = (cell * len / n).min(len.saturating_sub(1));
        let end = ((cell + 1) * len / n).max(start + 1).min(len.max(1));
        (start, end)
    };
    let mut out = Vec::with_capacity(n * n);
    if gray.width == 0 || gray.height == 0 {
        return out;
    }
    for row in 0..n {
        let (y0, y1) = span(row, gray.height);
        for col in 0..n {
            let (x0, x1) = span(col, gray.width);
            let mut sum = 0u64;
            for y in y0..y1 {
                let line = &gray.pixels[y * gray.width + x0..y * gray.width + x1];
                sum += line.iter().map(|&v| u64::from(v)).sum::<u64>();
            }
            let area = ((y1 - y0) * (x1 - x0)).max(1) as u64;
            out.push((sum / area) as u8);
        }
    }
    out
}

/// The 64-bit difference hash: 9×8 area-averaged cells, one bit per horizontal neighbour pair.
fn dhash(gray: &Gray) -> u64 {
    const COLS: usize = 9;
    const ROWS: usize = 8;
    // Cell boundaries: a partition of the image when it is large enough,
    // and at least one pixel per cell when it is tiny.
    let span = |cell: usize, cells: usize, len: usize| -> (usize, usize) {
        let start = (cell * len / cells).min(len - 1);
        let end = ((cell + 1) * len / cells).max(start + 1);
        (start, end)
    };
    let mut cells = [[0u64; COLS]; ROWS];
    for (row, cells_row) in cells.iter_mut().enumerate() {
        let (y0, y1) = span(row, ROWS, gray.height);
        for (col, cell) in cells_row.iter_mut().enumerate() {
            let (x0, x1) = span(col, COLS, gray.width);
            let mut sum = 0u64;
            for y in y0..y1 {
                let line = &gray.pixels[y * gray.width + x0..y * gray.width + x1];
                sum += line.iter().map(|&v| u64::from(v)).sum::<u64>();
            }
            // Scaled mean, so rounding does not flip bits between equal cells.
            *cell = sum * 1024 / ((y1 - y0) * (x1 - x0)) as u64;
        }
    }
    let mut hash = 0u64;
    for cells_row in &cells {
        for pair in cells_row.windows(2) {
            hash = (hash << 1) | u64::from(pair[0] > pair[1]);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::gif::GifEncoder;
    use image::codecs::jpeg::JpegEncoder;
    use image::codecs::png::PngEncoder;
    use image::codecs::webp::WebPEncoder;
    use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

    /// A small deterministic pseudo-random generator (xorshift).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u32) -> u32 {
            (self.next() % u64::from(n)) as u32
        }
    }

    /// A synthetic "screenshot": a gradient background with coloured panels laid out from `seed`.
    fn screenshot(width: u32, height: u32, seed: u64) -> RgbImage {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let tint = [
            rng.below(256) as u8,
            rng.below(256) as u8,
            rng.below(256) as u8,
        ];
        let mut img = RgbImage::from_fn(width, height, |x, y| {
            let g = ((x + y) * 255 / (width + height)) as u8;
            Rgb([
                g / 2 + tint[0] / 2,
                g / 2 + tint[1] / 2,
                255 - g / 2 - tint[2] / 4,
            ])
        });
        for _ in 0..24 {
            let w = 1 + rng.below(width / 3);
            let h = 1 + rng.below(height / 3);
            let x0 = rng.below(width - w);
            let y0 = rng.below(height - h);
            let colour = Rgb([
                rng.below(256) as u8,
                rng.below(256) as u8,
                rng.below(256) as u8,
            ]);
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    img.put_pixel(x, y, colour);
                }
            }
        }
        img
    }

    fn png(img: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(
                img.as_raw(),
                img.width(),
                img.height(),
                ExtendedColorType::Rgb8,
            )
            .expect("encode png");
        out
    }

    fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(
                img.as_raw(),
                img.width(),
                img.height(),
                ExtendedColorType::Rgb8,
            )
            .expect("encode jpeg");
        out
    }

    fn gif(img: &RgbImage) -> Vec<u8> {
        let rgba = DynamicImage::ImageRgb8(img.clone()).to_rgba8();
        let mut out = Vec::new();
        GifEncoder::new(&mut out)
            .encode(
                rgba.as_raw(),
                rgba.width(),
                rgba.height(),
                ExtendedColorType::Rgba8,
            )
            .expect("encode gif");
        out
    }

    fn webp(img: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        WebPEncoder::new_lossless(&mut out)
            .write_image(
                img.as_raw(),
                img.width(),
                img.height(),
                ExtendedColorType::Rgb8,
            )
            .expect("encode webp");
        out
    }

    fn bmp(img: &RgbImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Bmp)
            .expect("encode bmp");
        out.into_inner()
    }

    /// A QR code for `text`, `scale` pixels per module, with a quiet zone of `quiet` modules.
    fn qr_image(text: &str, scale: u32, quiet: u32) -> RgbImage {
        let code = qrcode::QrCode::new(text.as_bytes()).expect("encode qr");
        render_modules(code.width() as u32, &dark_modules(&code), scale, quiet)
    }

    /// The modules of a code, `true` for dark, row by row.
    fn dark_modules(code: &qrcode::QrCode) -> Vec<bool> {
        code.to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect()
    }

    /// Dark (`true`) and light modules, `modules` a side, drawn black on white.
    fn render_modules(modules: u32, dark: &[bool], scale: u32, quiet: u32) -> RgbImage {
        let side = (modules + 2 * quiet) * scale;
        RgbImage::from_fn(side, side, |x, y| {
            let (mx, my) = (x / scale, y / scale);
            let is_dark = mx >= quiet
                && my >= quiet
                && mx < quiet + modules
                && my < quiet + modules
                && dark[((my - quiet) * modules + (mx - quiet)) as usize];
            if is_dark {
                Rgb([0, 0, 0])
            } else {
                Rgb([255, 255, 255])
            }
        })
    }

    #[test]
    fn formats_and_sizes_come_from_the_bytes() {
        let img = screenshot(320, 200, 1);
        let cases = [
            (png(&img), ImageFormat::Png),
            (jpeg(&img, 85), ImageFormat::Jpeg),
            (gif(&img), ImageFormat::Gif),
            (webp(&img), ImageFormat::Webp),
            (bmp(&img), ImageFormat::Bmp),
        ];
        for (bytes, format) in cases {
            let info = inspect(&bytes).expect("inspect");
            assert_eq!(info.format, format);
            assert_eq!((info.width, info.height), (320, 200), "{format:?}");
            assert_eq!(info.bytes, bytes.len());
            assert_eq!(info.qr, None, "{format:?}");
        }
    }

    #[test]
    fn names_cover_the_usual_extensions() {
        assert_eq!(ImageFormat::Jpeg.names(), &["jpg", "jpeg"]);
        assert_eq!(ImageFormat::Webp.names(), &["webp"]);
    }

    #[test]
    fn format_serialises_lowercase() {
        let json = serde_json::to_string(&ImageFormat::Webp).expect("serialise");
        assert_eq!(json, "\"webp\"");
    }

    #[test]
    fn unknown_bytes_are_unknown_format() {
        for bytes in [
            &b""[..],
            b"hello world",
            b"<svg xmlns=\"\"/>",
            b"%PDF-1.7",
            b"RIFF\0\0\0\0WAVE",
        ] {
            assert_eq!(inspect(bytes), Err(ImageError::UnknownFormat));
        }
    }

    #[test]
    fn damaged_data_is_a_decode_error() {
        let mut bytes = png(&screenshot(64, 64, 2));
        bytes.truncate(40);
        assert!(matches!(inspect(&bytes), Err(ImageError::Decode(_))));
        let bytes = b"\x89PNG\r\n\x1a\ngarbage garbage garbage";
        assert!(matches!(inspect(bytes), Err(ImageError::Decode(_))));
    }

    #[test]
    fn random_and_truncated_bytes_never_panic() {
        let img = screenshot(96, 64, 3);
        let encoded = [png(&img), jpeg(&img, 80), gif(&img), webp(&img), bmp(&img)];
        let mut rng = Rng(0xDEAD_BEEF);
        for bytes in &encoded {
            for cut in (0..bytes.len()).step_by(7) {
                let _ = inspect(&bytes[..cut]);
            }
            for _ in 0..60 {
                let mut damaged = bytes.clone();
                for _ in 0..1 + rng.below(8) {
                    let at = rng.below(damaged.len() as u32) as usize;
                    damaged[at] = rng.next() as u8;
                }
                let _ = inspect(&damaged);
            }
        }
        let magics: [&[u8]; 5] = [
            b"\x89PNG\r\n\x1a\n",
            &[0xFF, 0xD8, 0xFF],
            b"GIF89a",
            b"RIFF\0\0\0\0WEBP",
            b"BM",
        ];
        for magic in magics {
            for _ in 0..200 {
                let mut bytes = magic.to_vec();
                let len = rng.below(512) as usize;
                bytes.extend((0..len).map(|_| rng.next() as u8));
                assert!(!matches!(inspect(&bytes), Err(ImageError::UnknownFormat)));
            }
        }
        for _ in 0..500 {
            let len = rng.below(256) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let _ = inspect(&bytes);
        }
    }

    /// CRC-32 (IEEE), as PNG chunks use it.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = u32::MAX;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn decompression_bombs_are_refused_before_decoding() {
        // A real PNG whose header claims 10000×10000 (100 megapixels): the
        // size alone must get it refused, before any pixel is inflated.
        let mut out = png(&screenshot(16, 16, 9));
        out[16..20].copy_from_slice(&10_000u32.to_be_bytes());
        out[20..24].copy_from_slice(&10_000u32.to_be_bytes());
        let crc = crc32(&out[12..29]);
        out[29..33].copy_from_slice(&crc.to_be_bytes());
        match inspect(&out) {
            Err(ImageError::Decode(message)) => {
                assert!(message.contains("megapixels"), "{message}")
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn a_qr_code_is_found_and_read() {
        let text = "https://example.com/download?app=bylaw";
        let info = inspect(&png(&qr_image(text, 8, 4))).expect("inspect");
        assert_eq!(info.qr.as_deref(), Some(text));
        // Cropped to the code (no quiet zone), small, and as a JPEG.
        let info = inspect(&jpeg(&qr_image(text, 3, 0), 90)).expect("inspect");
        assert_eq!(info.qr.as_deref(), Some(text));
    }

    #[test]
    fn a_qr_code_in_a_large_screenshot_is_found() {
        let text = "weixin://dl/business/?t=abc";
        let mut shot = screenshot(1920, 1080, 4);
        let code = qr_image(text, 12, 4);
        image::imageops::replace(&mut shot, &code, 1400, 300);
        let info = inspect(&png(&shot)).expect("inspect");
        assert_eq!(info.qr.as_deref(), Some(text));
    }

    #[test]
    fn a_transparent_qr_logo_is_found() {
        let text = "bylaw";
        let code = qr_image(text, 6, 4);
        let logo = RgbaImage::from_fn(code.width(), code.height(), |x, y| {
            if code.get_pixel(x, y)[0] == 0 {
                Rgba([0, 0, 0, 255])
            } else {
                Rgba([0, 0, 0, 0])
            }
        });
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(
                logo.as_raw(),
                logo.width(),
                logo.height(),
                ExtendedColorType::Rgba8,
            )
            .expect("encode png");
        assert_eq!(inspect(&out).expect("inspect").qr.as_deref(), Some(text));
    }

    #[test]
    fn a_light_on_dark_qr_code_is_found() {
        let text = "https://example.com/inverted";
        let mut code = qr_image(text, 6, 4);
        image::imageops::invert(&mut code);
        assert_eq!(
            inspect(&png(&code)).expect("inspect").qr.as_deref(),
            Some(text)
        );
    }

    #[test]
    fn a_damaged_qr_code_is_still_reported() {
        let code = qrcode::QrCode::with_error_correction_level(
            "https://example.com/this-code-is-damaged-beyond-repair".as_bytes(),
            qrcode::EcLevel::L,
        )
        .expect("encode qr");
        let width = code.width();
        let mut modules = dark_modules(&code);
        // Scramble the data modules; finder, timing and format patterns stay.
        let mut rng = Rng(77);
        for y in 0..width {
            for x in 0..width {
                if !code.is_functional(x, y) && rng.below(2) == 0 {
                    modules[y * width + x] = !modules[y * width + x];
                }
            }
        }
        let img = render_modules(width as u32, &modules, 8, 4);
        let info = inspect(&png(&img)).expect("inspect");
        assert_eq!(info.qr.as_deref(), Some(UNDECODABLE_QR));
    }

    #[test]
    fn other_pixel_layouts_decode() {
        let shot = screenshot(120, 80, 8);
        let dynamic = DynamicImage::ImageRgb8(shot);
        for img in [
            DynamicImage::ImageLuma8(dynamic.to_luma8()),
            DynamicImage::ImageLumaA8(dynamic.to_luma_alpha8()),
            DynamicImage::ImageRgb16(dynamic.to_rgb16()),
            DynamicImage::ImageRgba16(dynamic.to_rgba16()),
        ] {
            let mut out = Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png)
                .expect("encode png");
            let info = inspect(out.get_ref()).expect("inspect");
            assert_eq!(
                (info.format, info.width, info.height),
                (ImageFormat::Png, 120, 80)
            );
        }
    }

    #[test]
    fn near_duplicates_have_close_hashes() {
        let shot = screenshot(540, 960, 5);
        let base = inspect(&png(&shot)).expect("inspect").dhash;
        // Re-encoded as a lossy JPEG.
        let reencoded = inspect(&jpeg(&shot, 60)).expect("inspect").dhash;
        assert!(
            hamming(base, reencoded) <= 10,
            "jpeg: {}",
            hamming(base, reencoded)
        );
        // A small badge drawn over it.
        let mut badged = shot.clone();
        for y in 50..80 {
            for x in 20..100 {
                badged.put_pixel(x, y, Rgb([230, 30, 30]));
            }
        }
        let overlaid = inspect(&png(&badged)).expect("inspect").dhash;
        assert!(
            hamming(base, overlaid) <= 10,
            "overlay: {}",
            hamming(base, overlaid)
        );
        // Rescaled.
        let small = image::imageops::resize(&shot, 270, 480, image::imageops::FilterType::Triangle);
        let rescaled = inspect(&png(&small)).expect("inspect").dhash;
        assert!(
            hamming(base, rescaled) <= 10,
            "rescaled: {}",
            hamming(base, rescaled)
        );
    }

    #[test]
    fn different_screenshots_have_distant_hashes() {
        let hashes: Vec<u64> = (10..16)
            .map(|seed| {
                inspect(&png(&screenshot(360, 640, seed)))
                    .expect("inspect")
                    .dhash
            })
            .collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert!(
                    hamming(*a, *b) > 20,
                    "{a:016x} vs {b:016x}: {}",
                    hamming(*a, *b)
                );
            }
        }
    }

    #[test]
    fn hamming_counts_bits() {
        assert_eq!(hamming(0, 0), 0);
        assert_eq!(hamming(0, u64::MAX), 64);
        assert_eq!(hamming(0b1010, 0b0110), 2);
    }

    #[test]
    fn tiny_images_work() {
        for (w, h) in [(1, 1), (3, 2), (9, 8), (1, 100)] {
            let info = inspect(&png(&screenshot(w.max(3), h.max(3), 7))).expect("inspect");
            assert!(info.width >= 1);
            let img = RgbImage::from_pixel(w, h, Rgb([10, 20, 30]));
            let info = inspect(&png(&img)).expect("inspect");
            assert_eq!((info.width, info.height), (w, h));
            assert_eq!(info.qr, None);
        }
    }
}
