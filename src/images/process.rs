//! Bytes → checked, decoded image → resized, encoded variants.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage, RgbaImage};

use super::ImageRole;

/// Largest accepted width or height.
pub const MAX_SIDE: u32 = 12_000;
/// Largest accepted pixel count.
pub const MAX_PIXELS: u64 = 50_000_000;
/// Decoder allocation cap: 50 MP of RGBA8 plus slack.
const MAX_ALLOC: u64 = MAX_PIXELS * 4 + 64 * 1024 * 1024;

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

/// Checks, decodes and re-encodes one downloaded image.
pub fn process(
    bytes: &[u8],
    content_type: Option<&str>,
    role: ImageRole,
    widths: &[u32],
) -> Result<Processed, String> {
    let format = sniff(bytes).ok_or_else(|| not_an_image(bytes, content_type))?;
    let image = decode(bytes, format)?;
    let (width, height) = (image.width(), image.height());
    let alpha = has_transparency(&image);
    let placeholder = placeholder(&image, alpha);
    let sizes = plan(role, width, height, widths);
    let lossless_webp = alpha && matches!(role, ImageRole::Logo { .. });

    let mut files = Vec::new();
    if alpha {
        let source = image.into_rgba8();
        for (w, h, pixels) in resized(&source, &sizes) {
            let fallback = encode_png(&pixels)?;
            let webp = encode_webp(pixels.as_raw(), w, h, true, lossless_webp)?;
            push_pair(&mut files, w, h, webp, fallback, MIME_PNG, "png");
        }
    } else {
        let source = image.into_rgb8();
        for (w, h, pixels) in resized(&source, &sizes) {
            let fallback = encode_jpeg(&pixels)?;
            let webp = encode_webp(pixels.as_raw(), w, h, false, false)?;
            push_pair(&mut files, w, h, webp, fallback, MIME_JPEG, "jpg");
        }
    }
    Ok(Processed {
        width,
        height,
        placeholder,
        files,
    })
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

/// Decodes with limits: the header's dimensions are checked before any
/// pixel is decoded.
pub fn decode(bytes: &[u8], format: Format) -> Result<DynamicImage, String> {
    let too_large = |detail: String| {
        format!("image too large: {detail} (limit {MAX_SIDE}×{MAX_SIDE} px, 50 megapixels)")
    };
    let fail = |e: image::ImageError| match e {
        image::ImageError::Limits(l) => too_large(l.to_string()),
        other => format!("cannot decode {}: {other}", format.name()),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(fail)?;
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
    let mut image = DynamicImage::from_decoder(decoder).map_err(fail)?;
    if let Some(o) = orientation {
        image.apply_orientation(o);
    }
    Ok(image)
}

/// Whether any pixel is not fully opaque.
fn has_transparency(image: &DynamicImage) -> bool {
    if !image.color().has_alpha() {
        return false;
    }
    match image {
        DynamicImage::ImageRgba8(buf) => buf.pixels().any(|p| p.0[3] < u8::MAX),
        DynamicImage::ImageLumaA8(buf) => buf.pixels().any(|p| p.0[1] < u8::MAX),
        other => other.to_rgba8().pixels().any(|p| p.0[3] < u8::MAX),
    }
}

/// Average colour of a tiny downscale, `#rrggbb`. With transparency the
/// average is alpha-weighted (premultiplied before downscaling), so the
/// transparent background does not darken it.
pub fn placeholder(image: &DynamicImage, alpha: bool) -> String {
    let tiny = if alpha {
        let mut premultiplied = image.to_rgba8();
        for p in premultiplied.pixels_mut() {
            let [r, g, b, a] = p.0;
            let scale = |c: u8| ((u32::from(c) * u32::from(a) + 127) / 255) as u8;
            p.0 = [scale(r), scale(g), scale(b), a];
        }
        DynamicImage::ImageRgba8(premultiplied)
            .thumbnail(16, 16)
            .into_rgba8()
    } else {
        image.thumbnail(16, 16).into_rgba8()
    };
    let (mut r, mut g, mut b, mut weight) = (0u64, 0u64, 0u64, 0u64);
    for p in tiny.pixels() {
        let [pr, pg, pb, pa] = p.0;
        r += u64::from(pr);
        g += u64::from(pg);
        b += u64::from(pb);
        weight += u64::from(pa);
    }
    if weight == 0 {
        return "#ffffff".to_string();
    }
    // Premultiplied sums: colour = sum(c) × 255 / sum(alpha).
    let avg = |c: u64| ((c * 255 + weight / 2) / weight).min(255);
    format!("#{:02x}{:02x}{:02x}", avg(r), avg(g), avg(b))
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
        assert_eq!(placeholder(&img, false), "#c86432");
        let half = DynamicImage::ImageRgba8(RgbaImage::from_fn(40, 40, |x, _| {
            if x < 20 {
                image::Rgba([20, 80, 200, 255])
            } else {
                image::Rgba([0, 0, 0, 0])
            }
        }));
        assert_eq!(placeholder(&half, true), "#1450c8");
    }
}
