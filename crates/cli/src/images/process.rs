//! Bytes → checked, decoded image → resized, encoded variants.

use std::io::Cursor;
use std::sync::{Condvar, Mutex};

use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{
    ColorType, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage, RgbaImage,
};

use super::ImageRole;

/// Largest accepted width or height.
pub const MAX_SIDE: u32 = 12_000;
/// Largest accepted pixel count.
pub const MAX_PIXELS: u64 = 40_000_000;
/// Decoder allocation cap: 16-bit RGBA at the pixel limit.
const MAX_ALLOC: u64 = MAX_PIXELS * 8;
/// Memory that the images being processed at once may reserve together
/// (see [`estimate`]): decodes wait for room, and one that would need more
/// than all of it is refused. With the downloads and encoders beside it,
/// this keeps the run's peak RSS under 1 GiB whatever the images; the
/// figures are in `docs/bundle.md`.
pub const DECODE_BUDGET: u64 = 640 * 1024 * 1024;

/// WebP quality (lossy).
pub const WEBP_QUALITY: f32 = 75.0;
/// JPEG fallback quality (mozjpeg).
pub const JPEG_QUALITY: f32 = 80.0;

pub const MIME_WEBP: &str = "image/webp";
pub const MIME_JPEG: &str = "image/jpeg";
pub const MIME_PNG: &str = "image/png";

/// Bumped whenever the output for the same input changes (sizes, encoders,
/// settings), so that re-runs re-encode instead of trusting old files.
const RECIPE_VERSION: u32 = 1;

/// The MIME types we write, as `'static` strings.
pub fn static_mime(mime: &str) -> Option<&'static str> {
    [MIME_WEBP, MIME_JPEG, MIME_PNG]
        .into_iter()
        .find(|m| *m == mime)
}

/// What the variants of an image depend on besides its bytes.
pub fn recipe(role: ImageRole, widths: &[u32]) -> String {
    let sizes = match role {
        ImageRole::Hero => {
            let w: Vec<String> = widths.iter().map(u32::to_string).collect();
            format!("hero:{}", w.join(","))
        }
        ImageRole::Logo { display_size } => format!("logo:{display_size}"),
    };
    format!("v{RECIPE_VERSION};{sizes};webp{WEBP_QUALITY};jpeg{JPEG_QUALITY}")
}

/// The formats we accept, recognised by their magic numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    WebP,
}

impl Format {
    fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Gif => ImageFormat::Gif,
            Format::WebP => ImageFormat::WebP,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Gif => "GIF",
            Format::WebP => "WebP",
        }
    }
}

/// The format of `bytes` by magic number, whatever the server claimed.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(Format::Gif)
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some(Format::WebP)
    } else {
        None
    }
}

fn not_an_image(bytes: &[u8], content_type: Option<&str>) -> String {
    let head = bytes.get(..512).unwrap_or(bytes);
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let looks = if bytes.is_empty() {
        "the body is empty"
    } else if text.starts_with("<!doctype html")
        || text.starts_with("<html")
        || text.contains("<body")
    {
        "the body is an HTML page"
    } else if text.starts_with('<') {
        "the body looks like markup (SVG/XML?)"
    } else {
        "the bytes are not JPEG, PNG, GIF or WebP"
    };
    match content_type {
        Some(ct) => format!("not an image: {looks} (Content-Type said {ct})"),
        None => format!("not an image: {looks}"),
    }
}

/// One encoded file, not yet named or written.
pub struct EncodedFile {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub mime: &'static str,
    pub ext: &'static str,
}

pub struct Processed {
    pub width: u32,
    pub height: u32,
    pub placeholder: String,
    pub files: Vec<EncodedFile>,
}

/// Checks, decodes and re-encodes one downloaded image. Waits until the
/// image's memory [`estimate`] fits in [`DECODE_BUDGET`].
pub fn process(
    bytes: &[u8],
    content_type: Option<&str>,
    role: ImageRole,
    widths: &[u32],
) -> Result<Processed, String> {
    let format = sniff(bytes).ok_or_else(|| not_an_image(bytes, content_type))?;
    let (decoder, orientation) = open(bytes, format)?;
    let (w, h) = decoder.dimensions();
    let rotated = orientation.is_some_and(|o| {
        matches!(
            o,
            Orientation::Rotate90
                | Orientation::Rotate270
                | Orientation::Rotate90FlipH
                | Orientation::Rotate270FlipH
        )
    });
    let (width, height) = if rotated { (h, w) } else { (w, h) };
    let sizes = plan(role, width, height, widths);
    let need = estimate(format, decoder.color_type(), width, height, &sizes);
    let _room = BUDGET.reserve(need)?;

    let pixels = decode_8bit(decoder, format, orientation)?;
    let alpha = match &pixels {
        Pixels::Rgba(buf) => buf.pixels().any(|p| p.0[3] < u8::MAX),
        Pixels::Rgb(_) => false,
    };
    let placeholder = match &pixels {
        Pixels::Rgba(buf) => average(buf.pixels().map(|p| p.0)),
        Pixels::Rgb(buf) => average(buf.pixels().map(|p| [p.0[0], p.0[1], p.0[2], u8::MAX])),
    };
    let lossless_webp = alpha && matches!(role, ImageRole::Logo { .. });

    let mut files = Vec::new();
    let pixels = match pixels {
        Pixels::Rgba(buf) if !alpha => Pixels::Rgb(DynamicImage::ImageRgba8(buf).into_rgb8()),
        other => other,
    };
    match pixels {
        Pixels::Rgba(source) => {
            for (w, h, pixels) in resized(&source, &sizes) {
                let fallback = encode_png(&pixels)?;
                let webp = encode_webp(pixels.as_raw(), w, h, true, lossless_webp)?;
                push_pair(&mut files, w, h, webp, fallback, MIME_PNG, "png");
            }
        }
        Pixels::Rgb(source) => {
            for (w, h, pixels) in resized(&source, &sizes) {
                let fallback = encode_jpeg(&pixels)?;
                let webp = encode_webp(pixels.as_raw(), w, h, false, false)?;
                push_pair(&mut files, w, h, webp, fallback, MIME_JPEG, "jpg");
            }
        }
    }
    Ok(Processed {
        width,
        height,
        placeholder,
        files,
    })
}

/// Decoded pixels, 8 bits per channel: with an alpha channel or without.
enum Pixels {
    Rgba(RgbaImage),
    Rgb(RgbImage),
}

/// Bytes that processing an image of this header may hold at its peak:
/// the decoder's output and working memory, the 8-bit copy when the
/// decoder's output is not 8-bit RGB(A), a rotation, the resize's
/// intermediate (`f32` RGBA, source width × largest height) and the
/// variants with their encoders. An over-estimate for most images, so that
/// it holds for all.
pub fn estimate(
    format: Format,
    color: ColorType,
    width: u32,
    height: u32,
    sizes: &[(u32, u32)],
) -> u64 {
    let px = u64::from(width) * u64::from(height);
    let decoded = px * u64::from(color.bytes_per_pixel());
    // Progressive JPEG keeps every coefficient (3 × i16 per pixel); the
    // WebP and GIF decoders keep a frame of their own.
    let working = match format {
        Format::Jpeg => 6 * px,
        Format::WebP | Format::Gif => 4 * px,
        Format::Png => px,
    };
    let eight = px * if color.has_alpha() { 4 } else { 3 };
    let converted = if matches!(color, ColorType::Rgb8 | ColorType::Rgba8) {
        0
    } else {
        eight
    };
    let (top_w, top_h) = sizes.last().copied().unwrap_or((width, height));
    let top = u64::from(top_w) * u64::from(top_h);
    let resize = u64::from(width) * u64::from(top_h) * 16 + top * 4 * 3;
    let decode_phase = decoded + working.max(converted);
    // Rotating, or dropping an alpha channel that is all opaque, copies.
    let copy_phase = eight * 2;
    decode_phase.max(copy_phase).max(eight + resize)
}

/// Memory reserved by the images being processed, up to [`DECODE_BUDGET`].
struct Budget {
    used: Mutex<u64>,
    freed: Condvar,
}

static BUDGET: Budget = Budget {
    used: Mutex::new(0),
    freed: Condvar::new(),
};

struct Reservation(u64);

impl Budget {
    fn reserve(&'static self, bytes: u64) -> Result<Reservation, String> {
        if bytes > DECODE_BUDGET {
            return Err(format!(
                "image too large: processing it would take about {} MiB (limit {} MiB)",
                bytes.div_ceil(1024 * 1024),
                DECODE_BUDGET / 1024 / 1024
            ));
        }
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used + bytes > DECODE_BUDGET {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += bytes;
        Ok(Reservation(bytes))
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut used = BUDGET.used.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(self.0);
        drop(used);
        BUDGET.freed.notify_all();
    }
}

fn push_pair(
    files: &mut Vec<EncodedFile>,
    width: u32,
    height: u32,
    webp: Vec<u8>,
    fallback: Vec<u8>,
    mime: &'static str,
    ext: &'static str,
) {
    if webp.len() < fallback.len() {
        files.push(EncodedFile {
            bytes: webp,
            width,
            height,
            mime: MIME_WEBP,
            ext: "webp",
        });
    }
    files.push(EncodedFile {
        bytes: fallback,
        width,
        height,
        mime,
        ext,
    });
}

fn too_large(detail: String) -> String {
    format!(
        "image too large: {detail} (limit {MAX_SIDE}×{MAX_SIDE} px, {} megapixels)",
        MAX_PIXELS / 1_000_000
    )
}

fn decode_error(format: Format) -> impl Fn(image::ImageError) -> String {
    move |e| match e {
        image::ImageError::Limits(l) => too_large(l.to_string()),
        other => format!("cannot decode {}: {other}", format.name()),
    }
}

/// A decoder whose header has been checked (dimensions, limits) before any
/// pixel is decoded, and the EXIF orientation to apply.
fn open(
    bytes: &[u8],
    format: Format,
) -> Result<(impl ImageDecoder + '_, Option<Orientation>), String> {
    let fail = decode_error(format);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(&fail)?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(format!(
            "cannot decode {}: empty image ({w}×{h})",
            format.name()
        ));
    }
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(too_large(format!("{w}×{h} px")));
    }
    let orientation = decoder.orientation().ok();
    Ok((decoder, orientation))
}

/// Decodes, converts to 8 bits per channel (dropping the decoder's buffer
/// before anything else is allocated) and applies the orientation.
fn decode_8bit(
    decoder: impl ImageDecoder,
    format: Format,
    orientation: Option<Orientation>,
) -> Result<Pixels, String> {
    let image = DynamicImage::from_decoder(decoder).map_err(decode_error(format))?;
    let mut image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    if let Some(o) = orientation {
        image.apply_orientation(o);
    }
    Ok(match image {
        DynamicImage::ImageRgba8(buf) => Pixels::Rgba(buf),
        other => Pixels::Rgb(other.into_rgb8()),
    })
}

/// Decodes with the same checks as [`process`], for callers that want the
/// image itself.
pub fn decode(bytes: &[u8], format: Format) -> Result<DynamicImage, String> {
    let (decoder, orientation) = open(bytes, format)?;
    Ok(match decode_8bit(decoder, format, orientation)? {
        Pixels::Rgba(buf) => DynamicImage::ImageRgba8(buf),
        Pixels::Rgb(buf) => DynamicImage::ImageRgb8(buf),
    })
}

/// Average colour, `#rrggbb`, weighted by alpha (premultiplied), so a
/// transparent background does not darken it. Read in one pass over the
/// pixels, without a copy of the image.
fn average(pixels: impl Iterator<Item = [u8; 4]>) -> String {
    let (mut r, mut g, mut b, mut weight) = (0u128, 0u128, 0u128, 0u128);
    for [pr, pg, pb, pa] in pixels {
        let a = u128::from(pa);
        r += u128::from(pr) * a;
        g += u128::from(pg) * a;
        b += u128::from(pb) * a;
        weight += a;
    }
    if weight == 0 {
        return "#ffffff".to_string();
    }
    let avg = |c: u128| ((c + weight / 2) / weight).min(255);
    format!("#{:02x}{:02x}{:02x}", avg(r), avg(g), avg(b))
}

/// Average colour of `image`, `#rrggbb` (see [`process`]).
pub fn placeholder(image: &DynamicImage) -> String {
    match image {
        DynamicImage::ImageRgb8(buf) => {
            average(buf.pixels().map(|p| [p.0[0], p.0[1], p.0[2], u8::MAX]))
        }
        DynamicImage::ImageRgba8(buf) => average(buf.pixels().map(|p| p.0)),
        other => average(other.to_rgba8().pixels().map(|p| p.0)),
    }
}

/// The sizes to make, ascending by width, without upscaling.
///
/// Heroes: every configured width under the top one, where the top is
/// `min(own width, largest configured width)`; a width within 10 % of the
/// top is skipped. Logos: fitted into a `display_size` square at 1× and 2×.
pub fn plan(role: ImageRole, width: u32, height: u32, widths: &[u32]) -> Vec<(u32, u32)> {
    let scale = |w: u32| -> (u32, u32) {
        let h = (u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width.max(1));
        (w, u32::try_from(h).unwrap_or(u32::MAX).max(1))
    };
    let mut sizes: Vec<(u32, u32)> = match role {
        ImageRole::Hero => {
            let top = widths
                .iter()
                .copied()
                .filter(|w| *w > 0)
                .max()
                .map_or(width, |max| max.min(width));
            let mut out: Vec<(u32, u32)> = widths
                .iter()
                .copied()
                .filter(|w| *w > 0 && u64::from(*w) * 10 <= u64::from(top) * 9)
                .map(scale)
                .collect();
            out.push(scale(top));
            out
        }
        ImageRole::Logo { display_size } => {
            let long = width.max(height);
            [1u64, 2]
                .iter()
                .map(|k| {
                    let target = (u64::from(display_size.max(1)) * k).min(u64::from(long));
                    let target = u32::try_from(target).unwrap_or(long);
                    let fit = |side: u32| {
                        let v = (u64::from(side) * u64::from(target) + u64::from(long) / 2)
                            / u64::from(long.max(1));
                        u32::try_from(v).unwrap_or(side).max(1)
                    };
                    (fit(width), fit(height))
                })
                .collect()
        }
    };
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

/// Resizes `source` to each size (Lanczos3). The largest size is made from
/// the source, the others from the largest: same quality, much less work
/// for big originals.
fn resized<P>(
    source: &image::ImageBuffer<P, Vec<u8>>,
    sizes: &[(u32, u32)],
) -> Vec<(u32, u32, image::ImageBuffer<P, Vec<u8>>)>
where
    P: image::Pixel<Subpixel = u8> + 'static,
{
    let resize = |img: &image::ImageBuffer<P, Vec<u8>>, w: u32, h: u32| {
        if img.width() == w && img.height() == h {
            img.clone()
        } else {
            image::imageops::resize(img, w, h, FilterType::Lanczos3)
        }
    };
    let Some(&(top_w, top_h)) = sizes.last() else {
        return Vec::new();
    };
    let top = resize(source, top_w, top_h);
    let mut out: Vec<_> = sizes
        .iter()
        .filter(|s| **s != (top_w, top_h))
        .map(|&(w, h)| (w, h, resize(&top, w, h)))
        .collect();
    out.push((top_w, top_h, top));
    out
}

fn encode_webp(
    pixels: &[u8],
    width: u32,
    height: u32,
    alpha: bool,
    lossless: bool,
) -> Result<Vec<u8>, String> {
    let layout = if alpha {
        webp::PixelLayout::Rgba
    } else {
        webp::PixelLayout::Rgb
    };
    let expected = u64::from(width) * u64::from(height) * if alpha { 4 } else { 3 };
    if pixels.len() as u64 != expected {
        return Err("internal error: pixel buffer size".to_string());
    }
    let mut config =
        webp::WebPConfig::new().map_err(|()| "cannot configure the WebP encoder".to_string())?;
    config.quality = WEBP_QUALITY;
    config.lossless = i32::from(lossless);
    config.alpha_compression = i32::from(!lossless);
    config.method = 4;
    let encoder = webp::Encoder::new(pixels, layout, width, height);
    encoder
        .encode_advanced(&config)
        .map(|m| m.to_vec())
        .map_err(|e| format!("cannot encode WebP: {e:?}"))
}

fn encode_jpeg(pixels: &RgbImage) -> Result<Vec<u8>, String> {
    let fail = |e: std::io::Error| format!("cannot encode JPEG: {e}");
    let (w, h) = (pixels.width() as usize, pixels.height() as usize);
    let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
    compress.set_size(w, h);
    compress.set_quality(JPEG_QUALITY);
    let mut started = compress.start_compress(Vec::new()).map_err(fail)?;
    started.write_scanlines(pixels.as_raw()).map_err(fail)?;
    started.finish().map_err(fail)
}

fn encode_png(pixels: &RgbaImage) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, PngFilter::Adaptive)
        .write_image(
            pixels.as_raw(),
            pixels.width(),
            pixels.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|e| format!("cannot encode PNG: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hero_plan_never_upscales() {
        let w = [320, 640, 960, 1280];
        let widths = |v: Vec<(u32, u32)>| v.into_iter().map(|s| s.0).collect::<Vec<_>>();
        assert_eq!(
            widths(plan(ImageRole::Hero, 2000, 1000, &w)),
            [320, 640, 960, 1280]
        );
        assert_eq!(
            widths(plan(ImageRole::Hero, 1280, 720, &w)),
            [320, 640, 960, 1280]
        );
        assert_eq!(
            widths(plan(ImageRole::Hero, 1200, 630, &w)),
            [320, 640, 960, 1200]
        );
        assert_eq!(
            widths(plan(ImageRole::Hero, 1000, 500, &w)),
            [320, 640, 1000]
        );
        assert_eq!(widths(plan(ImageRole::Hero, 200, 100, &w)), [200]);
        assert_eq!(widths(plan(ImageRole::Hero, 200, 100, &[])), [200]);
        assert_eq!(plan(ImageRole::Hero, 1600, 900, &w)[0], (320, 180));
    }

    #[test]
    fn logo_plan_fits_a_square() {
        let logo = ImageRole::Logo { display_size: 32 };
        assert_eq!(plan(logo, 200, 100, &[]), [(32, 16), (64, 32)]);
        assert_eq!(plan(logo, 100, 400, &[]), [(8, 32), (16, 64)]);
        assert_eq!(plan(logo, 40, 40, &[]), [(32, 32), (40, 40)]);
        assert_eq!(plan(logo, 20, 20, &[]), [(20, 20)]);
    }

    /// Finding 3: eight 12000 × 4000 PNGs at once peaked at 1.68 GB. Every
    /// image the limits let through fits the budget on its own (so none is
    /// refused for it), and the largest ones take most of it (so they are
    /// processed about one at a time).
    #[test]
    fn finding_3_every_allowed_image_fits_the_decode_budget() {
        let side = u64::from(MAX_SIDE);
        let shapes = [
            (10_000, 4_000),
            (4_000, 10_000),
            (6_324, 6_324),
            (MAX_SIDE, (MAX_PIXELS / side) as u32),
            ((MAX_PIXELS / side) as u32, MAX_SIDE),
        ];
        let widths = [320, 640, 960, 1280];
        let mut largest = 0;
        for (w, h) in shapes {
            assert!(u64::from(w) * u64::from(h) <= MAX_PIXELS);
            for format in [Format::Jpeg, Format::Png, Format::Gif, Format::WebP] {
                for color in [
                    ColorType::L8,
                    ColorType::Rgb8,
                    ColorType::Rgba8,
                    ColorType::La16,
                    ColorType::Rgb16,
                    ColorType::Rgba16,
                ] {
                    let sizes = plan(ImageRole::Hero, w, h, &widths);
                    let need = estimate(format, color, w, h, &sizes);
                    assert!(
                        need <= DECODE_BUDGET,
                        "{w}×{h} {format:?} {color:?}: {need}"
                    );
                    largest = largest.max(need);
                }
            }
        }
        assert!(largest > DECODE_BUDGET / 2, "{largest}");
    }

    #[test]
    fn sniffs_magic_numbers() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0"), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        assert_eq!(sniff(b"GIF89a"), Some(Format::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::WebP));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(sniff(b"<!doctype html>"), None);
        assert!(not_an_image(b"<!DOCTYPE html><html>", Some("image/jpeg")).contains("HTML page"));
    }

    #[test]
    fn placeholder_is_the_average() {
        let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 30, image::Rgb([200, 100, 50])));
        assert_eq!(placeholder(&img), "#c86432");
        let half = DynamicImage::ImageRgba8(RgbaImage::from_fn(40, 40, |x, _| {
            if x < 20 {
                image::Rgba([20, 80, 200, 255])
            } else {
                image::Rgba([0, 0, 0, 0])
            }
        }));
        assert_eq!(placeholder(&half), "#1450c8");
    }
}
