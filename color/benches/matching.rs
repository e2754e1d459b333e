//! Camera matching: one match CDL solve from sampled patches (issue 12: under 50 ms), and
//! the whole match including sampling two UHD charts.

use lookwire_color::chart::{self, ChartOptions, Shot};
use lookwire_color::matching::{self, MatchRequest, Prepared};
use lookwire_color::pipeline::WorkingSpace;
use lookwire_color::spaces::{self, InputSpace};

fn main() {
    divan::main();
}

struct Setup {
    reference: (InputSpace, chart::Frame),
    camera: (InputSpace, chart::Frame),
}

fn setup() -> Setup {
    let frame = |id: &str| {
        let f = chart::render_chart(
            id,
            &ChartOptions {
                shot: Shot::default(),
                ..Default::default()
            },
        )
        .unwrap();
        (spaces::lookup(id).unwrap(), f)
    };
    Setup {
        reference: frame("arri-logc3-awg3"),
        camera: frame("sony-slog3-sgamut3cine"),
    }
}

fn request(s: &Setup, working: WorkingSpace) -> MatchRequest<'_> {
    MatchRequest {
        reference: matching::Shot {
            input: &s.reference.0,
            frame: &s.reference.1,
            corners: None,
        },
        camera: matching::Shot {
            input: &s.camera.0,
            frame: &s.camera.1,
            corners: None,
        },
        working,
        output: matching::DEFAULT_OUTPUT.into(),
        style: Default::default(),
        monitoring_matrix: false,
    }
}

#[divan::bench(args = [WorkingSpace::Camera, WorkingSpace::AcesCct])]
fn solve_one_camera(bencher: divan::Bencher<'_, '_>, working: WorkingSpace) {
    let s = setup();
    let prepared = Prepared::new(&request(&s, working)).unwrap();
    bencher.bench_local(|| prepared.problem().solve());
}

#[divan::bench(sample_count = 10)]
fn match_two_uhd_charts(bencher: divan::Bencher<'_, '_>) {
    let s = setup();
    bencher.bench_local(|| matching::match_camera(&request(&s, WorkingSpace::Camera)).unwrap());
}
