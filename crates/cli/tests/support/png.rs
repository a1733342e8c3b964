//! PNG chunks written by hand, for tests that need images a real encoder
//! would refuse to make (headers that lie about their size, no pixel data).

/// The CRC-32 (ISO-HDLC) of a chunk's type and data, as PNG stores it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
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

/// Appends one chunk (length, type, data, CRC) to `out`.
pub fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    let crc = crc32(out.get(start..).unwrap_or_default());
    out.extend(crc.to_be_bytes());
}
