//! Every CPU level against the scalar reference, and the scalar kernel against the
//! LUT/CDL reference of `lut.rs` and `cdl.rs`.

use half::f16;
use lookwire_color::kernel::workload::{random_lut, SplitMix64};
use lookwire_color::kernel::{
    Coding, CpuLevel, ImageDesc, Kernel, KernelError, Layout, Look, NodeReads, Range, Sample,
    STREAM_MIN_BYTES,
};
use lookwire_color::{Cdl, CdlStyle, Domain, Interpolation, Lut1d, Lut3d};

/// Values that must clamp to the LUT domain without reading outside it.
const SPECIALS: [f32; 12] = [
    f32::NAN,
    f32::INFINITY,
    f32::NEG_INFINITY,
    1e30,
    -1e30,
    -0.25,
    1.75,
    0.0,
    1.0,
    -0.0,
    f32::MAX,
    f32::MIN_POSITIVE / 4.0,
];

fn random_floats(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|i| match i % 7 {
            0 => SPECIALS[(rng.next_u64() % SPECIALS.len() as u64) as usize],
            1 => rng.next_unit() * 3.0 - 1.0,
            _ => rng.next_unit(),
        })
        .collect()
}

fn looks() -> Vec<(&'static str, Look)> {
    let cdl = Cdl::from_sop_sat([1.2, 0.9, 1.05, 0.02, -0.03, 0.0, 1.3, 0.8, 1.1], 1.25).unwrap();
    let shaper = Lut1d::from_fn(1024, Domain::new([-0.5; 3], [2.0; 3]).unwrap(), |c, x| {
        (x + 0.5).max(0.0).powf(0.4 + 0.1 * c as f64) / 1.6
    })
    .unwrap();
    let wide = {
        let lut = random_lut(17, 11);
        let domain = Domain::new([-0.1, 0.0, -0.2], [1.2, 1.0, 1.5]).unwrap();
        Lut3d::new(17, lut.into_data(), domain).unwrap()
    };
    let mut all = vec![
        ("tetra33", Look::lut(random_lut(33, 5))),
        (
            "trilinear17",
            Look {
                interpolation: Interpolation::Trilinear,
                ..Look::lut(random_lut(17, 6))
            },
        ),
        (
            "shaper+cdl-asc+tetra",
            Look {
                shaper: Some(shaper.clone()),
                cdl: Some((cdl, CdlStyle::Asc)),
                ..Look::lut(random_lut(33, 7))
            },
        ),
        (
            "cdl-noclamp+wide-domain",
            Look {
                cdl: Some((cdl, CdlStyle::NoClamp)),
                ..Look::lut(wide)
            },
        ),
        (
            "shaper+affine-cdl+trilinear",
            Look {
                shaper: Some(shaper),
                cdl: Some((
                    Cdl::from_sop_sat([0.9, 1.1, 1.0, 0.1, 0.0, -0.05, 1.0, 1.0, 1.0], 1.0)
                        .unwrap(),
                    CdlStyle::NoClamp,
                )),
                interpolation: Interpolation::Trilinear,
                ..Look::lut(random_lut(9, 8))
            },
        ),
    ];
    all.push(("tetra2", Look::lut(random_lut(2, 9))));
    all
}

/// A SIMD level and how its kernels read lattice nodes: every test against the scalar
/// reference runs both reads at each level, whatever this CPU's vendor would choose.
#[derive(Clone, Copy, Debug)]
struct Simd {
    level: CpuLevel,
    reads: NodeReads,
}

impl Simd {
    fn kernel(self, look: &Look) -> Kernel {
        let mut kernel = Kernel::with_level(look, self.level).unwrap();
        kernel.set_node_reads(self.reads);
        kernel
    }
}

impl std::fmt::Display for Simd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.level, self.reads)
    }
}

fn simd_levels() -> Vec<Simd> {
    let mut run = Vec::new();
    for level in [CpuLevel::Avx2, CpuLevel::Avx512] {
        if level.is_supported() {
            for reads in [NodeReads::Gathers, NodeReads::Loads] {
                run.push(Simd { level, reads });
            }
        } else {
            println!("skipped {level}: this CPU does not have it");
        }
    }
    run
}

/// The scalar kernel and one per SIMD level and node reads this CPU has, each named.
fn every_kernel(look: &Look) -> Vec<(String, Kernel)> {
    let mut all = vec![(
        "scalar".to_string(),
        Kernel::with_level(look, CpuLevel::Scalar).unwrap(),
    )];
    for simd in simd_levels() {
        all.push((format!("{} {}", simd.level, simd.reads), simd.kernel(look)));
    }
    all
}

const LAYOUTS: [Layout; 3] = [Layout::Rgb, Layout::Rgba, Layout::PlanarRgb];
const WIDTH: usize = 301;
const HEIGHT: usize = 7;

/// Renders `src` at `level` and with scalar; checks every sample with `close`.
fn compare<T: Sample + PartialEq + std::fmt::Debug>(
    level: Simd,
    look: &Look,
    desc: &ImageDesc,
    src: &[T],
    close: impl Fn(f64, f64) -> bool,
    what: &str,
) {
    let reference = Kernel::with_level(look, CpuLevel::Scalar).unwrap();
    let kernel = level.kernel(look);
    let mut want = src.to_vec();
    let mut got = src.to_vec();
    reference.render(desc, src, &mut want).unwrap();
    kernel.render(desc, src, &mut got).unwrap();
    let spp = desc.layout.samples_per_pixel();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if desc.layout == Layout::Rgba && i % 4 == 3 {
            let (a, s) = (g.to_f64(), src[i].to_f64());
            assert!(
                a == s || (a.is_nan() && s.is_nan()),
                "{what} {level}: alpha changed at {i}"
            );
            continue;
        }
        let (a, b) = (g.to_f64(), w.to_f64());
        assert!(
            close(a, b),
            "{what} {level} {:?}: sample {i} (pixel {}) got {a} want {b}, input {:?}",
            desc.layout,
            i / spp,
            &src[i - i % spp..(i - i % spp + spp).min(src.len())]
        );
    }
}

fn lut_magnitude(look: &Look) -> f64 {
    look.lut
        .data()
        .iter()
        .flatten()
        .fold(0.0f64, |m, x| m.max(x.abs() as f64))
}

#[test]
fn f32_levels_match_scalar_within_1e6_relative() {
    for level in simd_levels() {
        for (name, look) in looks() {
            let mag = lut_magnitude(&look);
            for layout in LAYOUTS {
                let desc = ImageDesc::new(WIDTH, HEIGHT, layout, Coding::Float);
                let src = random_floats(desc.min_len(), 21);
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(mag);
                compare(level, &look, &desc, &src, close, name);
            }
        }
    }
}

/// The SIMD levels render a row's blocks two at a time (the cell pass of one next to the
/// lattice reads of the one before): rows of one block or less, of whole blocks and of a
/// short last block, rendered out of place and in place, must give the scalar reference.
#[test]
fn rows_of_every_block_split_match_scalar() {
    let (_, tetra) = looks().remove(0);
    let (_, cdl) = looks().remove(2);
    for level in simd_levels() {
        for look in [&tetra, &cdl] {
            let mag = lut_magnitude(look);
            for width in [1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 256, 383, 1000] {
                let desc = ImageDesc::new(width, 3, Layout::Rgb, Coding::Float);
                let src = random_floats(desc.min_len(), 40 + width as u64);
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(mag);
                compare(level, look, &desc, &src, close, "block split");
                let kernel = level.kernel(look);
                let mut out = vec![0.0f32; src.len()];
                kernel.render(&desc, &src, &mut out).unwrap();
                let mut inplace = src.clone();
                kernel.render_in_place(&desc, &mut inplace).unwrap();
                assert_eq!(bits(&inplace), bits(&out), "{level} width {width} in place");
            }
        }
    }
}

/// Lattices of 1 MiB or more are read in another node order by the SIMD levels (G rows
/// paired): odd and even sizes, 65³ (the largest common one) and 129³, every layout, out of
/// place and in place, against the scalar reference. At AVX-512, 47³ and 48³ packed RGB out
/// of place take the fused loop in paired order, the others the pipelined loop.
#[test]
fn large_lattices_match_scalar() {
    for size in [47, 48, 65, 129] {
        let look = Look::lut(random_lut(size, 50 + size as u64));
        let mag = lut_magnitude(&look);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(mag);
        for level in simd_levels() {
            for layout in LAYOUTS {
                let desc = ImageDesc::new(WIDTH, HEIGHT, layout, Coding::Float);
                let src = random_floats(desc.min_len(), 60);
                compare(level, &look, &desc, &src, close, "large lattice");
                compare_in_place(level, &look, &desc, &src, close, "large lattice in place");
            }
        }
    }
}

/// [`compare`] for a render in place at `level`.
fn compare_in_place(
    level: Simd,
    look: &Look,
    desc: &ImageDesc,
    src: &[f32],
    close: impl Fn(f64, f64) -> bool,
    what: &str,
) {
    let mut want = src.to_vec();
    let mut got = src.to_vec();
    Kernel::with_level(look, CpuLevel::Scalar)
        .unwrap()
        .render_in_place(desc, &mut want)
        .unwrap();
    let kernel = level.kernel(look);
    kernel.render_in_place(desc, &mut got).unwrap();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let (a, b) = (*g as f64, *w as f64);
        let same = a == b || close(a, b) || (a.is_nan() && b.is_nan());
        assert!(
            same,
            "{what} {level} {:?}: sample {i} got {a} want {b}",
            desc.layout
        );
    }
}

/// A 65³ lattice (paired order at the SIMD levels) into an output large enough to be
/// streamed: at AVX-512 the pipelined loop with its streamed stores and the next block's
/// source prefetched a part per vector (`rows::Ahead`) runs only for such lattices.
/// Against the scalar reference, rows off a cache line, of odd width and padded stride.
#[test]
fn streamed_output_through_a_large_lattice_matches_scalar() {
    let look = Look::lut(random_lut(65, 34));
    let mag = lut_magnitude(&look);
    let (width, pad) = (1203, 5);
    let stride = 3 * width + pad;
    let height = (STREAM_MIN_BYTES / 4).div_ceil(stride);
    let mut desc = ImageDesc::new(width, height, Layout::Rgb, Coding::Float);
    desc.stride = stride;
    let src = random_floats(desc.min_len(), 35);
    let mut want = vec![-7.0f32; desc.min_len()];
    let scalar = Kernel::with_level(&look, CpuLevel::Scalar).unwrap();
    scalar.render(&desc, &src, &mut want).unwrap();
    for level in simd_levels() {
        let kernel = level.kernel(&look);
        let mut out = vec![-7.0f32; desc.min_len() + 1];
        let out = &mut out[1..];
        kernel.render(&desc, &src, out).unwrap();
        for (i, (g, w)) in out.iter().zip(&want).enumerate() {
            let (a, b) = (*g as f64, *w as f64);
            let same = (a - b).abs() <= 1e-6 * b.abs().max(mag) || a == b;
            assert!(
                same,
                "{level}: sample {i} (row {}) got {a} want {b}",
                i / stride
            );
        }
    }
}

#[test]
fn f16_levels_match_scalar_within_one_half_ulp() {
    for level in simd_levels() {
        for (name, look) in looks() {
            let mag = lut_magnitude(&look);
            let desc = ImageDesc::new(WIDTH, HEIGHT, Layout::Rgba, Coding::Float);
            let src: Vec<f16> = random_floats(desc.min_len(), 22)
                .into_iter()
                .map(f16::from_f32)
                .collect();
            // One f16 step (2⁻¹⁰ relative) covers an f32 difference that crosses a rounding edge.
            let close = |a: f64, b: f64| (a - b).abs() <= b.abs().max(mag) / 1024.0;
            compare(level, &look, &desc, &src, close, name);
        }
    }
}

fn codings_u16() -> [Coding; 4] {
    [
        Coding::Code {
            bits: 10,
            range: Range::Legal,
        },
        Coding::Code {
            bits: 10,
            range: Range::Full,
        },
        Coding::Code {
            bits: 12,
            range: Range::Full,
        },
        Coding::Code {
            bits: 16,
            range: Range::Full,
        },
    ]
}

#[test]
fn integer_levels_match_scalar_within_one_code_value() {
    let one_code = |a: f64, b: f64| (a - b).abs() <= 1.0;
    for level in simd_levels() {
        for (name, look) in looks() {
            for layout in LAYOUTS {
                for coding in codings_u16() {
                    let Coding::Code { bits, .. } = coding else {
                        unreachable!()
                    };
                    let desc = ImageDesc::new(WIDTH, HEIGHT, layout, coding);
                    let mut rng = SplitMix64::new(23);
                    let src: Vec<u16> = (0..desc.min_len())
                        .map(|_| rng.next_code(bits as u32) as u16)
                        .collect();
                    compare(level, &look, &desc, &src, one_code, name);
                }
                let desc = ImageDesc::new(
                    WIDTH,
                    HEIGHT,
                    layout,
                    Coding::Code {
                        bits: 8,
                        range: Range::Full,
                    },
                );
                let mut rng = SplitMix64::new(24);
                let src: Vec<u8> = (0..desc.min_len())
                    .map(|_| rng.next_code(8) as u8)
                    .collect();
                compare(level, &look, &desc, &src, one_code, name);
            }
        }
    }
}

/// The lead's references: `Lut1d::lookup`, `CdlF32::apply`, `Lut3d::lookup` (f64 inside).
fn reference_pixel(look: &Look, rgb: [f32; 3]) -> [f32; 3] {
    let mut v = rgb;
    if let Some(s) = &look.shaper {
        v = s.lookup(v);
    }
    if let Some((cdl, style)) = &look.cdl {
        v = cdl.apply_f32(v, *style);
    }
    look.lut.lookup(v, look.interpolation)
}

#[test]
fn scalar_kernel_matches_lut_and_cdl_reference() {
    for (name, look) in looks() {
        let kernel = Kernel::with_level(&look, CpuLevel::Scalar).unwrap();
        let desc = ImageDesc::new(WIDTH, HEIGHT, Layout::Rgb, Coding::Float);
        let src = random_floats(desc.min_len(), 25);
        let mut out = vec![0.0f32; src.len()];
        kernel.render(&desc, &src, &mut out).unwrap();
        // The kernel locates cells in f32, the reference in f64: u = x·(N − 1) carries an
        // f32 rounding of up to 2⁻²⁴·(N − 1), times the lattice slope.
        for (i, (px, want)) in out.chunks(3).zip(src.chunks(3)).enumerate() {
            let want = reference_pixel(&look, [want[0], want[1], want[2]]);
            for c in 0..3 {
                assert!(
                    (px[c] - want[c]).abs() <= 2e-5,
                    "{name}: pixel {i} channel {c}: {} vs {}",
                    px[c],
                    want[c]
                );
            }
        }
    }
}

#[test]
fn out_of_domain_values_clamp_to_the_cube_faces() {
    let look = Look::lut(random_lut(17, 30));
    for (level, kernel) in every_kernel(&look) {
        let desc = ImageDesc::new(4, 1, Layout::Rgb, Coding::Float);
        let src = [
            f32::NAN,
            1e30,
            -1e30, // → (0, 1, 0)
            f32::INFINITY,
            f32::NEG_INFINITY,
            7.0, // → (1, 0, 1)
            -0.5,
            0.25,
            2.0, // → (0, 0.25, 1)
            0.0,
            1.0,
            0.0,
        ];
        let mut out = [0.0f32; 12];
        kernel.render(&desc, &src, &mut out).unwrap();
        let node = |r, g, b| look.lut.lookup([r, g, b], Interpolation::Tetrahedral);
        let want = [
            node(0.0, 1.0, 0.0),
            node(1.0, 0.0, 1.0),
            node(0.0, 0.25, 1.0),
        ];
        for (p, w) in want.iter().enumerate() {
            for c in 0..3 {
                assert!(
                    (out[3 * p + c] - w[c]).abs() < 1e-5,
                    "{level} pixel {p}: {out:?}"
                );
            }
        }
        assert_eq!(out[9..12], out[..3], "{level}: NaN must read as 0");
    }
}

#[test]
fn in_place_and_parallel_give_the_same_result() {
    let (_, look) = looks().remove(2);
    for (level, kernel) in every_kernel(&look) {
        let desc = ImageDesc::new(WIDTH, 33, Layout::Rgba, Coding::Float);
        let src = random_floats(desc.min_len(), 31);
        let mut out = vec![0.0f32; src.len()];
        kernel.render(&desc, &src, &mut out).unwrap();
        let mut inplace = src.clone();
        kernel.render_in_place(&desc, &mut inplace).unwrap();
        assert_eq!(bits(&inplace), bits(&out), "{level} in place");
        let mut par = vec![0.0f32; src.len()];
        kernel.par_render(&desc, &src, &mut par).unwrap();
        assert_eq!(bits(&par), bits(&out), "{level} parallel");
        let mut par_inplace = src.clone();
        kernel.par_render_in_place(&desc, &mut par_inplace).unwrap();
        assert_eq!(bits(&par_inplace), bits(&out), "{level} parallel in place");
    }
}

/// Outputs of at least `STREAM_MIN_BYTES` are written with streaming stores (from the
/// first cache-line-aligned pixel of each row on): they must hold what an in-place render
/// (never streamed) gives, bit for bit, with row padding untouched and the source's alpha,
/// from a buffer that starts off a cache line and rows of odd width and padded stride.
#[test]
fn streamed_large_outputs_equal_cached_renders() {
    let look = Look::lut(random_lut(17, 32));
    for (_, kernel) in every_kernel(&look) {
        streamed_case::<f32>(&kernel, Coding::Float, |x| x, Layout::Rgb);
        let code = Coding::Code {
            bits: 16,
            range: Range::Full,
        };
        let to_u16 = |x: f32| (x.clamp(0.0, 1.0) * 65535.0) as u16;
        streamed_case::<u16>(&kernel, code, to_u16, Layout::Rgb);
        let code = Coding::Code {
            bits: 8,
            range: Range::Full,
        };
        let to_u8 = |x: f32| (x.clamp(0.0, 1.0) * 255.0) as u8;
        streamed_case::<u8>(&kernel, code, to_u8, Layout::Rgba);
    }
}

fn streamed_case<T: Sample + PartialEq + std::fmt::Debug>(
    kernel: &Kernel,
    coding: Coding,
    from: impl Fn(f32) -> T,
    layout: Layout,
) {
    let (width, pad) = (1203, 5);
    let spp = layout.samples_per_pixel();
    let stride = spp * width + pad;
    let height = (STREAM_MIN_BYTES / std::mem::size_of::<T>()).div_ceil(stride);
    let mut desc = ImageDesc::new(width, height, layout, coding);
    desc.stride = stride;
    let src: Vec<T> = random_floats(desc.min_len(), 33)
        .into_iter()
        .map(&from)
        .collect();
    let sentinel = from(0.5);
    let mut out = vec![sentinel; desc.min_len() + 1];
    let out = &mut out[1..];
    kernel.render(&desc, &src, out).unwrap();
    let mut cached = src.clone();
    kernel.render_in_place(&desc, &mut cached).unwrap();
    for y in 0..height {
        let row = y * stride..y * stride + spp * width;
        assert!(
            out[row.clone()] == cached[row.clone()],
            "{} {coding:?}: row {y} differs from the in-place render",
            kernel.level()
        );
        if spp == 4 {
            let alpha = |v: &[T]| v[row.clone()].iter().skip(3).step_by(4).copied().collect();
            let (got, want): (Vec<T>, Vec<T>) = (alpha(out), alpha(&src));
            assert!(got == want, "{}: alpha of row {y} changed", kernel.level());
        }
        if y + 1 < height {
            assert!(
                out[row.end..row.end + pad].iter().all(|x| *x == sentinel),
                "{}: padding of row {y} written",
                kernel.level()
            );
        }
    }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn row_padding_and_planar_planes_are_respected() {
    let look = Look::lut(random_lut(9, 40));
    for level in CpuLevel::available() {
        let kernel = Kernel::with_level(&look, level).unwrap();
        let mut desc = ImageDesc::new(5, 3, Layout::Rgb, Coding::Float);
        desc.stride = 17;
        let src = random_floats(desc.min_len(), 41);
        let mut out = vec![-7.0f32; desc.min_len()];
        kernel.render(&desc, &src, &mut out).unwrap();
        for y in 0..3 {
            assert!(
                out[y * 17 + 15..y * 17 + 17].iter().all(|&x| x == -7.0),
                "{level}: padding written"
            );
            assert!(
                out[y * 17..y * 17 + 15].iter().all(|&x| x != -7.0),
                "{level}: pixel skipped"
            );
        }
        // A planar pixel gives what the same pixel gives packed.
        let planar = ImageDesc::new(2, 1, Layout::PlanarRgb, Coding::Float);
        let mut p_out = [0.0f32; 6];
        kernel
            .render(&planar, &[0.1, 0.9, 0.2, 0.8, 0.3, 0.7], &mut p_out)
            .unwrap();
        let packed = ImageDesc::new(2, 1, Layout::Rgb, Coding::Float);
        let mut k_out = [0.0f32; 6];
        kernel
            .render(&packed, &[0.1, 0.2, 0.3, 0.9, 0.8, 0.7], &mut k_out)
            .unwrap();
        assert_eq!(
            [p_out[0], p_out[2], p_out[4]],
            [k_out[0], k_out[1], k_out[2]]
        );
        assert_eq!(
            [p_out[1], p_out[3], p_out[5]],
            [k_out[3], k_out[4], k_out[5]]
        );
    }
}

#[test]
fn legal_range_codes_round_trip_through_an_identity_lut() {
    let look = Look::lut(Lut3d::identity(33).unwrap());
    let coding = Coding::Code {
        bits: 10,
        range: Range::Legal,
    };
    for level in CpuLevel::available() {
        let kernel = Kernel::with_level(&look, level).unwrap();
        let desc = ImageDesc::new(1024, 1, Layout::PlanarRgb, coding);
        let src: Vec<u16> = (0..3 * 1024).map(|i| (i % 1024) as u16).collect();
        let mut out = vec![0u16; src.len()];
        kernel.render(&desc, &src, &mut out).unwrap();
        for (i, (&o, &s)) in out.iter().zip(&src).enumerate() {
            // Legal 0..1 is 64..940; below and above clamp to the LUT's [0, 1].
            let want = s.clamp(64, 940);
            assert!(o.abs_diff(want) <= 1, "{level}: code {s} → {o} at {i}");
        }
    }
}

#[test]
fn check_mode_agrees_on_every_level() {
    let (_, look) = looks().remove(3);
    for (_, mut kernel) in every_kernel(&look) {
        kernel.set_check(true);
        let desc = ImageDesc::new(WIDTH, HEIGHT, Layout::Rgb, Coding::Float);
        let src = random_floats(desc.min_len(), 50);
        let mut out = vec![0.0f32; src.len()];
        kernel.par_render(&desc, &src, &mut out).unwrap();
        let mut inplace = src.clone();
        kernel.render_in_place(&desc, &mut inplace).unwrap();
    }
}

#[test]
fn bad_buffers_and_codings_are_refused() {
    let kernel = Kernel::with_level(&Look::lut(random_lut(5, 60)), CpuLevel::Scalar).unwrap();
    let desc = ImageDesc::new(4, 4, Layout::Rgb, Coding::Float);
    let mut small = vec![0.0f32; 47];
    assert_eq!(
        kernel.render_in_place(&desc, &mut small),
        Err(KernelError::BufferTooSmall {
            len: 47,
            needed: 48
        })
    );
    let mut short = desc;
    short.stride = 11;
    assert!(matches!(
        kernel.render_in_place(&short, &mut [0.0f32; 64]),
        Err(KernelError::Stride {
            stride: 11,
            row: 12
        })
    ));
    let mut buf = vec![0u16; 48];
    let err = kernel.render_in_place(&desc, &mut buf).unwrap_err();
    assert_eq!(err.to_string(), "u16 samples cannot hold Float");
    let eight_in_u8 = ImageDesc::new(
        4,
        4,
        Layout::Rgb,
        Coding::Code {
            bits: 10,
            range: Range::Full,
        },
    );
    assert!(matches!(
        kernel.render_in_place(&eight_in_u8, &mut [0u8; 48]),
        Err(KernelError::Coding { sample: "u8", .. })
    ));
    for level in CpuLevel::ALL {
        let made = Kernel::with_level(&Look::lut(random_lut(5, 60)), level);
        assert_eq!(made.is_ok(), level.is_supported(), "{level}");
    }
}
