//! A Tangent panel played by the simulated Hub over TCP grades the show.

use std::time::Duration;

use lookwire_protocol::manager::DeviceManager;
use lookwire_protocol::sim::tangent_hub::{HubSetup, TangentHubSim};
use lookwire_protocol::tangent::ids::{Action as PanelAction, Channel, Parameter, TrimField};
use lookwire_protocol::tangent::{AppCommand, AppDefinition, HubCommand};

use super::*;
use crate::show::demo::demo_show;
use crate::store::SqliteStore;

const WAIT: Duration = Duration::from_secs(30);

fn slope_r() -> Parameter {
    Parameter::Cdl(TrimField::Slope, Channel::Red)
}

fn value_of(p: Parameter) -> impl Fn(&AppCommand) -> Option<(f32, bool)> {
    move |c| match c {
        AppCommand::ParameterValue {
            param_id,
            value,
            at_default,
        } if *param_id == p.id() => Some((*value, *at_default)),
        _ => None,
    }
}

/// The next ParameterValue for `p` after `skip` received commands.
async fn next_value(sim: &TangentHubSim, skip: usize, p: Parameter) -> (f32, bool) {
    let f = value_of(p);
    let c = sim.wait_for(skip, WAIT, |c| f(c).is_some()).await;
    f(&c.unwrap_or_else(|| panic!("a value for {}: {:?}", p.label(), sim.received())))
        .unwrap_or_default()
}

async fn display_with(sim: &TangentHubSim, skip: usize, text: &str) -> Vec<String> {
    let c = sim
        .wait_for(skip, WAIT, |c| match c {
            AppCommand::DisplayText { lines } => lines
                .iter()
                .any(|l| l.text.as_deref().is_some_and(|t| t.contains(text))),
            _ => false,
        })
        .await;
    match c {
        Some(AppCommand::DisplayText { lines }) => {
            lines.into_iter().filter_map(|l| l.text).collect()
        }
        _ => panic!("no display with {text:?}: {:?}", sim.received()),
    }
}

async fn until(show: &ShowHandle, what: &str, ok: impl Fn(&Show) -> bool) {
    for _ in 0..600 {
        if ok(&show.view().show) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn trim(show: &ShowHandle, camera: &str) -> Cdl {
    show.view().show.cameras[camera].grade.trim
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_grades_the_selected_camera() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("show.sqlite")).unwrap();
    let show = ShowHandle::start(Box::new(store), demo_show).unwrap();
    let cameras: Vec<String> = show.view().show.cameras.keys().cloned().collect();
    let (first, second) = (cameras[0].clone(), cameras[1].clone());
    let app = AppDefinition {
        app_name: "lookwire".into(),
        system_dir: "/opt/lookwire/tangent".into(),
        user_dir: String::new(),
    };
    let sim = TangentHubSim::start(
        "127.0.0.1:0",
        HubSetup {
            expect: Some(app.clone()),
            ..HubSetup::default()
        },
    )
    .await
    .unwrap();
    let manager = Arc::new(Mutex::new(DeviceManager::new()));
    let _task = start_tangent(&manager, show.clone(), "panel", sim.addr().to_string(), app);

    // On connect: every value and the display of the first camera.
    let (v, at_default) = next_value(&sim, 0, slope_r()).await;
    assert_eq!((v, at_default), (1.0, true));
    let label = show.view().show.cameras[&first].label.clone();
    display_with(&sim, 0, &label).await;
    assert!(super::super::lock(&manager)
        .reports()
        .iter()
        .any(|r| r.id == "panel" && r.state == ConnectionState::Connected));

    // Two increments in one message: slope red +0.25, saturation -0.2.
    let mark = sim.received().len();
    sim.send(&[
        HubCommand::ParameterChange {
            param_id: slope_r().id(),
            increment: 0.25,
        },
        HubCommand::ParameterChange {
            param_id: Parameter::Saturation.id(),
            increment: -0.2,
        },
    ]);
    assert_eq!(next_value(&sim, mark, slope_r()).await, (1.25, false));
    assert_eq!(
        next_value(&sim, mark, Parameter::Saturation).await,
        (0.8, false)
    );
    // The f32 increment lands on six decimals: 0.8, not 0.79999999702.
    let t = trim(&show, &first);
    assert_eq!((t.slope[0], t.sat), (1.25, 0.8));
    display_with(&sim, mark, "S 1.250 1.000 1.000").await;

    // The app clamps: power red cannot go below 0.1.
    let power_r = Parameter::Cdl(TrimField::Power, Channel::Red);
    let mark = sim.received().len();
    sim.send(&[HubCommand::ParameterChange {
        param_id: power_r.id(),
        increment: -10.0,
    }]);
    assert_eq!(next_value(&sim, mark, power_r).await, (0.1, false));
    // Reset and value request.
    let mark = sim.received().len();
    sim.send(&[
        HubCommand::ParameterReset {
            param_id: power_r.id(),
        },
        HubCommand::ParameterValueRequest {
            param_id: Parameter::Master.id(),
        },
    ]);
    assert_eq!(next_value(&sim, mark, power_r).await, (1.0, true));
    let (stops, _) = next_value(&sim, mark, Parameter::Master).await;
    assert!(
        (f64::from(stops) - (1.25f64.log2() / 3.0)).abs() < 1e-5,
        "{stops}"
    );

    // Next camera: the display and the values follow it; increments grade it.
    let mark = sim.received().len();
    sim.send(&[HubCommand::ActionOn {
        action_id: PanelAction::CameraNext.id(),
    }]);
    let label2 = show.view().show.cameras[&second].label.clone();
    display_with(&sim, mark, &label2).await;
    assert_eq!(next_value(&sim, mark, slope_r()).await, (1.0, true));
    sim.send(&[HubCommand::ParameterChange {
        param_id: Parameter::Cdl(TrimField::Offset, Channel::Master).id(),
        increment: 0.05,
    }]);
    until(&show, "offset on the second camera", |s| {
        (s.cameras[&second].grade.trim.offset[1] - 0.05).abs() < 1e-9
    })
    .await;
    assert_eq!(
        trim(&show, &first).slope[0],
        1.25,
        "the first camera is untouched"
    );

    // Store slot 2, change, recall slot 2.
    sim.send(&[HubCommand::ActionOn {
        action_id: PanelAction::SnapshotStore(2).id(),
    }]);
    until(&show, "the snapshot", |s| {
        s.snapshots.contains_key(&snapshot_id(&second, 2))
    })
    .await;
    sim.send(&[HubCommand::ParameterChange {
        param_id: Parameter::Saturation.id(),
        increment: 0.5,
    }]);
    until(&show, "saturation 1.5", |s| {
        s.cameras[&second].grade.trim.sat == 1.5
    })
    .await;
    sim.send(&[HubCommand::ActionOn {
        action_id: PanelAction::SnapshotRecall(2).id(),
    }]);
    until(&show, "the recalled slot", |s| {
        s.cameras[&second].grade.trim.sat == 1.0
    })
    .await;
    // Undo the recall, redo it.
    sim.send(&[HubCommand::ActionOn {
        action_id: PanelAction::Undo.id(),
    }]);
    until(&show, "undo", |s| s.cameras[&second].grade.trim.sat == 1.5).await;
    sim.send(&[HubCommand::ActionOn {
        action_id: PanelAction::Redo.id(),
    }]);
    until(&show, "redo", |s| s.cameras[&second].grade.trim.sat == 1.0).await;

    // A change made elsewhere reaches the panel as a new value.
    let mark = sim.received().len();
    show.apply(
        "ui",
        Action::Trim {
            camera: second.clone(),
            field: GradeField::parse("trim.slope.r").unwrap(),
            value: json!(0.75),
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(next_value(&sim, mark, slope_r()).await, (0.75, false));

    // Select camera 1 by number.
    let mark = sim.received().len();
    sim.send(&[HubCommand::ActionOn {
        action_id: PanelAction::CameraSelect(1).id(),
    }]);
    assert_eq!(next_value(&sim, mark, slope_r()).await, (1.25, false));
    assert_eq!(sim.errors(), Vec::<String>::new());
}
