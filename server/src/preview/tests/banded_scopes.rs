//! Scopes graded and counted band by band ([`Previews::scopes`]) against the whole graded
//! frame counted at once ([`scopes::compute`]); the signals kept apart; the cache.

use super::*;

/// Every count of a set of scopes: the waveforms, the vectorscope, the histograms.
fn counts(s: &scopes::Scopes) -> Vec<Vec<u32>> {
    let w = &s.waveform;
    let mut all: Vec<Vec<u32>> = [&w.luma, &w.r, &w.g, &w.b, &s.vectorscope]
        .into_iter()
        .map(|p| unpack(p).unwrap().into_iter().map(u32::from).collect())
        .collect();
    let h = &s.histogram;
    all.extend([&h.luma, &h.r, &h.g, &h.b].map(Clone::clone));
    all
}

/// Banded grading and counting gives exactly the counts of the whole graded HD frame, for
/// an SDR and an HDR (PQ, Rec.2020 luma) output, and changes with a trim.
#[test]
fn banded_scopes_equal_the_whole_frame_counted() {
    let mut show = demo_show();
    let previews = Previews::new();
    for output in ["sdr", "hdr"] {
        let t = target(&show, "a", Some(output), true).unwrap();
        let banded = previews.scopes(&show, &t).unwrap();
        let whole = scopes::compute(&show, &previews.graded(&show, &t, SCOPE_WIDTH).unwrap());
        assert_eq!((banded.width, banded.height), (1920, 1080));
        assert_eq!(banded.output, output);
        assert_eq!(banded.luma_weights, whole.luma_weights);
        assert_eq!(counts(&banded), counts(&whole), "{output}");
    }
    let t = target(&show, "a", Some("sdr"), true).unwrap();
    let before = counts(&previews.scopes(&show, &t).unwrap());
    show.cameras["a"].grade.trim.slope = [1.4, 1.0, 0.7];
    let after = previews.scopes(&show, &t).unwrap();
    assert_ne!(counts(&after), before, "a trim moves the scopes");
    let whole = scopes::compute(&show, &previews.graded(&show, &t, SCOPE_WIDTH).unwrap());
    assert_eq!(
        counts(&after),
        counts(&whole),
        "not the cached scopes of before"
    );
}

/// R, G, B and luma each land in their own waveform and histogram: a frame of three
/// different channel values, half black, counted column by column.
#[test]
fn each_signal_is_counted_on_its_own() {
    let show = demo_show();
    let (w, h) = (256, 3);
    let rgb = [0.1f32, 0.5, 0.9];
    let mut g = flat("sdr", w, h, rgb);
    // Left half black.
    for row in g.rgb.chunks_exact_mut(w * 3) {
        row[..w / 2 * 3].fill(0.0);
    }
    let s = scopes::compute(&show, &g);
    let y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    let waves = [
        &s.waveform.luma,
        &s.waveform.r,
        &s.waveform.g,
        &s.waveform.b,
    ];
    for (wave, v) in waves.into_iter().zip([y, rgb[0], rgb[1], rgb[2]]) {
        let counts = unpack(wave).unwrap();
        let level = (v * LEVELS as f32) as usize;
        for col in 0..scopes::COLUMNS {
            let at = if col < 128 { 0 } else { level };
            assert_eq!(
                counts[col * LEVELS + at],
                h as u16,
                "column {col}, value {v}"
            );
            assert_eq!(
                counts[col * LEVELS..][..LEVELS].iter().sum::<u16>(),
                h as u16
            );
        }
    }
    let hist = &s.histogram;
    for (bins, v) in [&hist.luma, &hist.r, &hist.g, &hist.b]
        .into_iter()
        .zip([y, rgb[0], rgb[1], rgb[2]])
    {
        let half = (w / 2 * h) as u32;
        assert_eq!((bins[0], bins[(v * 256.0) as usize]), (half, half), "{v}");
    }
}

/// Out-of-range and NaN values land in the end bins, never outside the scopes.
#[test]
fn values_outside_zero_to_one_land_in_the_end_bins() {
    let show = demo_show();
    let mut g = flat("sdr", 4, 1, [0.0; 3]);
    g.rgb = vec![
        -0.5,
        2.0,
        f32::NAN,
        1.0,
        1.0,
        1.0,
        f32::INFINITY,
        0.0,
        -1e30,
        0.5,
        0.5,
        0.5,
    ];
    let s = scopes::compute(&show, &g);
    assert_eq!(s.histogram.r.iter().sum::<u32>(), 4);
    assert_eq!(
        (s.histogram.r[0], s.histogram.r[255]),
        (1, 2),
        "-0.5 low; 1.0, inf high"
    );
    assert_eq!(
        (s.histogram.b[0], s.histogram.b[255]),
        (2, 1),
        "NaN, -1e30 low"
    );
    let vec = unpack(&s.vectorscope).unwrap();
    assert_eq!(vec.iter().map(|&n| u32::from(n)).sum::<u32>(), 4);
}

/// While the look and the source are unchanged the cached scopes answer; a trim makes
/// them counted again. The cached entry is marked (one count moved) so that an answer
/// recomputed from the frame cannot pass for the cached one.
#[test]
fn unchanged_scopes_come_from_the_cache() {
    let mut show = demo_show();
    let previews = Previews::new();
    let t = target(&show, "b", None, true).unwrap();
    let first = previews.scopes(&show, &t).unwrap();
    let id = ("b".to_owned(), first.output.clone());
    let marked = {
        let mut cache = lock(&previews.scopes);
        let (key, cached) = cache.get_mut(&id).expect("the scopes are cached");
        assert_eq!(*key, previews.picture_key(&show, &t, &Picture::default()));
        cached.histogram.r[0] += 7;
        cached.histogram.r[0]
    };
    let again = previews.scopes(&show, &t).unwrap();
    assert_eq!(again.histogram.r[0], marked, "answered from the cache");
    show.cameras["b"].grade.trim.offset = [0.01, 0.0, 0.0];
    let t = target(&show, "b", None, true).unwrap();
    let moved = previews.scopes(&show, &t).unwrap();
    let whole = scopes::compute(&show, &previews.graded(&show, &t, SCOPE_WIDTH).unwrap());
    assert_eq!(counts(&moved), counts(&whole), "a trim is counted afresh");
    assert_ne!(counts(&moved), counts(&first), "and moves the scopes");
}

/// The counts against a plain per-pixel count written here from the definitions (floor
/// of value × levels, clamped; NaN low), on a frame whose width leaves a partial block.
#[test]
fn counts_match_a_plain_count_of_every_pixel() {
    let show = demo_show();
    let (w, h) = (1000, 7);
    let mut g = flat("sdr", w, h, [0.0; 3]);
    let mut seed = 7u32;
    for v in &mut g.rgb {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        *v = (seed >> 8) as f32 / (1u32 << 24) as f32 * 1.2 - 0.1;
    }
    let s = scopes::compute(&show, &g);
    let wt = [0.2126f32, 0.7152, 0.0722];
    let bin = |v: f32, n: usize| ((v * n as f32).max(0.0) as usize).min(n - 1);
    let mut wave = vec![vec![0u32; scopes::COLUMNS * LEVELS]; 4];
    let mut hist = vec![vec![0u32; scopes::BINS]; 4];
    let mut vector = vec![0u32; scopes::VECTOR * scopes::VECTOR];
    for (i, p) in g.rgb.chunks_exact(3).enumerate() {
        let col = (i % w) * scopes::COLUMNS / w;
        let y = wt[0] * p[0] + wt[1] * p[1] + wt[2] * p[2];
        for (k, v) in [y, p[0], p[1], p[2]].into_iter().enumerate() {
            wave[k][col * LEVELS + bin(v, LEVELS)] += 1;
            hist[k][bin(v, scopes::BINS)] += 1;
        }
        let cb = (p[2] - y) / (2.0 * (1.0 - wt[2]));
        let cr = (p[0] - y) / (2.0 * (1.0 - wt[0]));
        let (u, v) = (bin(cb + 0.5, scopes::VECTOR), bin(0.5 - cr, scopes::VECTOR));
        vector[v * scopes::VECTOR + u] += 1;
    }
    let mut expected = wave;
    expected.push(vector);
    expected.extend(hist);
    assert_eq!(counts(&s), expected);
}
