//! Removes what a photo says about where and how it was taken before Crealia serves it: the
//! EXIF (GPS position, camera serial), XMP and IPTC segments and comments of a JPEG, without
//! decoding it again (no quality lost). The segments a picture needs stay: JFIF, the ICC
//! colour profile, Adobe's colour transform, the tables and the scan.

/// The JPEG without its metadata segments, or None when its structure is not what JPEG says
/// (then the caller re-encodes it). It ends at the picture's end: whatever a camera appended
/// after it (a motion photo's video, a second picture with its own EXIF) is left out too.
pub fn strip_metadata(jpeg: &[u8]) -> Option<Vec<u8>> {
    if jpeg.get(0..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut out = Vec::with_capacity(jpeg.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut at = 2usize;
    loop {
        // Fill bytes (0xFF) may precede a marker.
        while jpeg.get(at) == Some(&0xFF) && jpeg.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if *jpeg.get(at)? != 0xFF {
            return None;
        }
        let marker = *jpeg.get(at + 1)?;
        match marker {
            // Markers without a length.
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&jpeg[at..at + 2]);
                at += 2;
            }
            0xD9 => {
                out.extend_from_slice(&jpeg[at..at + 2]);
                return Some(out);
            }
            _ => {
                let len = u16::from_be_bytes([*jpeg.get(at + 2)?, *jpeg.get(at + 3)?]) as usize;
                if len < 2 {
                    return None;
                }
                let end = at.checked_add(2 + len)?;
                let segment = jpeg.get(at..end)?;
                if !is_metadata(marker, &segment[4..]) {
                    out.extend_from_slice(segment);
                }
                at = end;
                if marker == 0xDA {
                    // Start of scan: the entropy-coded data runs to the next marker (0xFF not
                    // followed by a stuffed 0x00 or a restart marker); then the walk goes on,
                    // so segments between progressive scans are looked at too.
                    let data_end = scan_end(jpeg, at)?;
                    out.extend_from_slice(&jpeg[at..data_end]);
                    at = data_end;
                }
            }
        }
    }
}

/// Whether a segment only tells about the picture (and may go): APP1 (EXIF, XMP), APP13
/// (IPTC, Photoshop), COM, the vendors' APP3–APP12 and APP15, and APP2 unless it is the ICC
/// colour profile (APP2 also holds MPF, the index of a second picture). APP0 (JFIF) and APP14
/// (Adobe's colour transform) stay: the picture needs them.
fn is_metadata(marker: u8, payload: &[u8]) -> bool {
    match marker {
        0xE2 => !payload.starts_with(b"ICC_PROFILE\0"),
        0xE1 | 0xE3..=0xED | 0xEF | 0xFE => true,
        _ => false,
    }
}

/// Where the entropy-coded data that starts at `from` ends: the next real marker.
fn scan_end(jpeg: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 1 < jpeg.len() {
        if jpeg[i] == 0xFF && !matches!(jpeg[i + 1], 0x00 | 0xD0..=0xD7 | 0xFF) {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    #[test]
    fn exif_xmp_and_comments_go_colour_and_picture_stay() {
        let jfif = segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        let exif = segment(0xE1, b"Exif\0\0GPS 59.91N 10.75E");
        let icc = segment(0xE2, b"ICC_PROFILE\0\x01\x01data");
        let mpf = segment(0xE2, b"MPF\0II*\0index of a second picture");
        let comment = segment(0xFE, b"shot at home");
        let tables = segment(0xDB, &[0u8; 65]);
        let scan = [segment(0xDA, &[1, 1, 0, 0, 63, 0]), vec![0x12, 0x34, 0xFF, 0x00, 0x56], vec![0xFF, 0xD9]].concat();
        let photo = [vec![0xFF, 0xD8], jfif.clone(), exif, icc.clone(), mpf, comment, tables.clone(), scan.clone()].concat();
        let clean = strip_metadata(&photo).unwrap();
        assert_eq!(clean, [vec![0xFF, 0xD8], jfif, icc, tables, scan].concat());
        assert!(!clean.windows(3).any(|w| w == b"GPS"));
    }

    #[test]
    fn segments_between_scans_and_what_follows_the_picture_go_too() {
        let scan = |data: &[u8]| [segment(0xDA, &[1, 1, 0, 0, 63, 0]), data.to_vec()].concat();
        let second_exif = [vec![0xFF, 0xD8], segment(0xE1, b"Exif\0\0GPS of the second picture"), vec![0xFF, 0xD9]].concat();
        let progressive = [
            vec![0xFF, 0xD8],
            scan(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]),
            segment(0xFE, b"GPS between the scans"),
            scan(&[0x78]),
            vec![0xFF, 0xD9],
            second_exif,
            b"a motion photo's video".to_vec(),
        ]
        .concat();
        let clean = strip_metadata(&progressive).unwrap();
        assert_eq!(clean, [vec![0xFF, 0xD8], scan(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]), scan(&[0x78]), vec![0xFF, 0xD9]].concat());
    }

    #[test]
    fn a_broken_structure_is_not_guessed_at() {
        assert_eq!(strip_metadata(b"not a jpeg"), None);
        assert_eq!(strip_metadata(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF]), None, "a segment longer than the file");
        assert_eq!(strip_metadata(&[0xFF, 0xD8, 0x00]), None);
    }
}
