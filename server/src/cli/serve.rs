//! `lookwire serve`: run the live-grading server for one show.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context};

use axum::serve::ListenerExt;

use crate::api::{router, AppState};
use crate::auth::{hash_secret, Auth};
use crate::device_registry::DeviceRegistry;
use crate::show::{demo::demo_show, Show, ShowHandle};
use crate::store::{Durability, SqliteStore, Store, StoredUser};
use crate::timecode::follow::{follow, LtcSource};
use crate::timecode::FrameRate;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Start with the demo show: six cameras, ACES SDR and HDR outputs, a show look.
    /// Uses a fresh temporary store unless --store is given.
    #[arg(long)]
    demo: bool,

    /// Address and port to listen on. Any address beyond loopback requires a passphrase.
    #[arg(long, default_value = "127.0.0.1:8750")]
    bind: SocketAddr,

    /// The show's SQLite store [default: show.sqlite in the platform's data directory].
    #[arg(long)]
    store: Option<PathBuf>,

    /// What an acknowledged change survives. `power` (the default): a power cut too (SQLite
    /// WAL; a change is answered and broadcast only after a disk sync of the WAL that began
    /// after it was written; the syncs run beside the writer, so a trim's round trip waits for
    /// about one sync but the writer does not). `process`: a crash or kill of the server
    /// (synchronous=NORMAL, never synced on a trim's path; an OS crash or power cut can lose
    /// the newest changes).
    #[arg(long, value_enum, default_value_t = DurabilityArg::Power)]
    durability: DurabilityArg,

    /// Admin passphrase (needed off loopback; stored hashed in the show, so later starts
    /// need not repeat it). Prefer the environment variable over the flag.
    #[arg(long, env = "LOOKWIRE_PASSPHRASE", hide_env_values = true)]
    passphrase: Option<String>,

    /// Lock the show clock to SMPTE LTC: a WAV file, or `-` for raw signed 16-bit
    /// little-endian PCM on stdin (e.g. `arecord -f S16_LE -r 48000 -c 1 | lookwire serve --ltc -`).
    #[arg(long, value_name = "WAV|-")]
    ltc: Option<PathBuf>,

    /// Audio channel carrying LTC (0 = first).
    #[arg(long, default_value_t = 0)]
    ltc_channel: usize,

    /// Sample rate and channel count of raw PCM on stdin.
    #[arg(long, default_value_t = 48_000)]
    ltc_sample_rate: u32,
    #[arg(long, default_value_t = 1)]
    ltc_channels: usize,

    /// A camera's picture from a live feed, repeatable: `CAMERA=folder:DIR` plays the
    /// image files in DIR (EXR, DPX, TIFF, PNG) in name order at the show's frame rate;
    /// `CAMERA=command:WIDTHxHEIGHT:FORMAT:COMMAND` runs COMMAND and reads raw frames from
    /// its standard output (FORMAT rgb48le or gbrpf32le, e.g. `ffmpeg … -f rawvideo
    /// -pix_fmt rgb48le -`), restarting it when it fails. Feeds are set here only, never
    /// from the API.
    #[arg(long, value_name = "CAMERA=folder:DIR|command:WxH:FORMAT:COMMAND")]
    feed: Vec<crate::preview::feed::FeedConfig>,
}

/// `--durability`: the store's [`Durability`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DurabilityArg {
    Process,
    Power,
}

impl From<DurabilityArg> for Durability {
    fn from(arg: DurabilityArg) -> Durability {
        match arg {
            DurabilityArg::Process => Durability::Process,
            DurabilityArg::Power => Durability::Power,
        }
    }
}

/// The LTC input the arguments ask for.
fn ltc_source(args: &Args) -> Option<LtcSource> {
    let path = args.ltc.clone()?;
    Some(if path.as_os_str() == "-" {
        LtcSource::RawStdin {
            sample_rate: args.ltc_sample_rate,
            channels: args.ltc_channels,
            channel: args.ltc_channel,
        }
    } else {
        LtcSource::Wav {
            path,
            channel: args.ltc_channel,
        }
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args))?;
    Ok(ExitCode::SUCCESS)
}

/// Where the store lives, and the temporary folder holding it for a demo (kept alive).
fn store_path(args: &Args) -> anyhow::Result<(PathBuf, Option<tempfile::TempDir>)> {
    if let Some(path) = &args.store {
        return Ok((path.clone(), None));
    }
    if args.demo {
        let dir = tempfile::Builder::new()
            .prefix("lookwire-demo-")
            .tempdir()
            .context("cannot make a temporary store for the demo")?;
        return Ok((dir.path().join("show.sqlite"), Some(dir)));
    }
    let base = dirs::data_dir().context("no data directory on this platform: pass --store")?;
    let dir = base.join("lookwire");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok((dir.join("show.sqlite"), None))
}

/// Login set-up: none on loopback; off loopback the admin passphrase, given now or stored.
fn auth(args: &Args, store: &mut SqliteStore) -> anyhow::Result<Auth> {
    if let Some(passphrase) = &args.passphrase {
        if passphrase.chars().count() < 8 {
            bail!("the passphrase must hold at least 8 characters");
        }
        let hash = hash_secret(passphrase).map_err(anyhow::Error::msg)?;
        let admin = StoredUser {
            name: "admin".into(),
            role: "admin".into(),
            hash,
        };
        store.put_user(&admin)?;
    }
    if args.bind.ip().is_loopback() {
        return Ok(Auth::open());
    }
    let stored = store.users()?.into_iter().find(|u| u.name == "admin");
    match stored {
        Some(admin) => Ok(Auth::with_passphrase(admin.hash)),
        None => bail!(
            "binding {} (beyond loopback) needs a passphrase: set LOOKWIRE_PASSPHRASE or pass --passphrase",
            args.bind
        ),
    }
}

/// The device manager (the demo's, or an empty one), with the devices kept in the store.
async fn start_devices(
    state: &AppState,
    demo: Option<Arc<crate::devices::DeviceService>>,
) -> anyhow::Result<Arc<crate::devices::DeviceService>> {
    let service = match demo {
        Some(service) => service,
        None => crate::devices::DeviceService::start(
            state.show.clone(),
            state.devices.clone(),
            Vec::new(),
        ),
    };
    let stored = {
        let mut store = state.reader.lock().unwrap_or_else(|p| p.into_inner());
        store.devices().context("cannot read the stored devices")?
    };
    let reader = Arc::clone(&state.reader);
    let file = move |id: &str| {
        let mut store = reader.lock().unwrap_or_else(|p| p.into_inner());
        let f = store.get_file(id).ok().flatten()?;
        Some((f.name, f.bytes))
    };
    let started = crate::devices::restore(&service, stored, file).await;
    if started > 0 {
        println!("lookwire: {started} stored device(s) started");
    }
    Ok(service)
}

/// The runtime device work runs on: two workers and a blocking pool whose threads run at
/// a lower CPU priority than the rest of the server (10 nice steps lower on Linux), so
/// that on a busy machine bakes and device encodes yield to the show writer and the API
/// workers. Shut down without waiting when dropped (the process is ending).
struct DeviceRuntime(Option<tokio::runtime::Runtime>);

impl DeviceRuntime {
    fn new() -> anyhow::Result<DeviceRuntime> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("lookwire-devices")
            .on_thread_start(lower_priority)
            .enable_all()
            .build()
            .context("cannot start the device runtime")?;
        Ok(DeviceRuntime(Some(rt)))
    }

    fn spawn<F>(&self, f: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.as_ref().expect("running until dropped").spawn(f)
    }
}

impl Drop for DeviceRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Lowers the calling thread's CPU priority by 10 nice steps, at most to 19 (Linux: nice
/// is per thread), so device work stays below the server's own threads however the
/// server was started.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: getpriority and setpriority with PRIO_PROCESS and who = 0 read and change
    // only the calling thread's nice value on Linux; they touch no memory of ours.
    unsafe {
        let own = libc::getpriority(libc::PRIO_PROCESS, 0);
        let _ = libc::setpriority(libc::PRIO_PROCESS, 0, (own + 10).min(19));
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

async fn serve(args: Args) -> anyhow::Result<()> {
    let (path, _temp) = store_path(&args)?;
    let durability = Durability::from(args.durability);
    let open = || {
        SqliteStore::open_with(&path, durability)
            .with_context(|| format!("cannot open the store {}", path.display()))
    };
    let mut writer_store = SqliteStore::open_writer(&path, durability)
        .with_context(|| format!("cannot open the store {}", path.display()))?;
    let auth = auth(&args, &mut writer_store)?;
    let demo = args.demo;
    let show = ShowHandle::start(Box::new(writer_store), move || {
        if demo {
            demo_show()
        } else {
            Show::new("Untitled show", FrameRate::Fps25)
        }
    })?;
    if let Some(source) = ltc_source(&args) {
        follow(source.clone(), show.clone())
            .with_context(|| format!("cannot read LTC from {source:?}"))?;
    }
    for feed in &args.feed {
        if !show.view().show.cameras.contains_key(&feed.camera) {
            println!(
                "lookwire: feed for camera {:?}, which the show does not have (yet)",
                feed.camera
            );
        }
    }
    crate::preview::feed::configure(args.feed.clone(), show.watch_rendered())?;
    let reader: Box<dyn Store> = Box::new(open()?);
    let state = AppState {
        show,
        auth: Arc::new(auth),
        devices: DeviceRegistry::default(),
        reader: Arc::new(Mutex::new(reader)),
    };
    // Device work (bakes, encodes, the demo's simulated devices) runs on its own runtime,
    // so the API's workers and a trim's broadcast never queue behind it.
    // rayon's global pool (previews, scopes) starts here, at normal priority: a thread
    // inherits its creator's nice value, and the first bake may come from a device thread.
    let _ = rayon::current_num_threads();
    let device_rt = DeviceRuntime::new()?;
    let device_state = state.clone();
    let _devices = device_rt
        .spawn(async move {
            let demo_devices = match demo {
                true => Some(
                    crate::devices::demo::start(
                        device_state.show.clone(),
                        device_state.devices.clone(),
                    )
                    .await?,
                ),
                false => None,
            };
            let demo_service = demo_devices.as_ref().map(|d| Arc::clone(&d.service));
            let service = start_devices(&device_state, demo_service).await?;
            anyhow::Ok((demo_devices, service))
        })
        .await??;
    let view = state.show.view();
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    let addr = listener.local_addr()?;
    println!(
        "lookwire: {:?} ({} cameras, version {}) at http://{addr}/",
        view.show.name,
        view.show.cameras.len(),
        view.version
    );
    println!(
        "lookwire: store {} (durability: {})",
        path.display(),
        match durability {
            Durability::Process => "process crash (synchronous=NORMAL)",
            Durability::Power => "power cut (each change answered after a WAL disk sync)",
        }
    );
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Trims are small messages that must leave at once: no Nagle delay.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    crate::preview::command::stop_all();
    served.context("the server stopped")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(bind: &str, passphrase: Option<&str>) -> Args {
        Args {
            demo: true,
            bind: bind.parse().unwrap(),
            store: None,
            durability: DurabilityArg::Process,
            passphrase: passphrase.map(str::to_owned),
            ltc: None,
            ltc_channel: 0,
            ltc_sample_rate: 48_000,
            ltc_channels: 1,
            feed: Vec::new(),
        }
    }

    #[test]
    fn power_durability_is_the_default() {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            serve: Args,
        }
        let plain = Cli::try_parse_from(["serve", "--demo"]).unwrap().serve;
        assert_eq!(Durability::from(plain.durability), Durability::Power);
        assert_eq!(Durability::Power.pragma(), "FULL");
        let fast = Cli::try_parse_from(["serve", "--durability", "process"]).unwrap();
        assert_eq!(Durability::from(fast.serve.durability), Durability::Process);
    }

    #[test]
    fn beyond_loopback_a_passphrase_is_required_and_kept_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
        assert!(!auth(&args("127.0.0.1:8750", None), &mut store)
            .unwrap()
            .required());
        let err = auth(&args("0.0.0.0:8750", None), &mut store).unwrap_err();
        assert!(err.to_string().contains("needs a passphrase"), "{err}");
        assert!(auth(&args("0.0.0.0:8750", Some("short")), &mut store).is_err());
        let set = auth(&args("0.0.0.0:8750", Some("truck seven")), &mut store).unwrap();
        assert!(set.required());
        // A later start finds the stored hash without being given the passphrase again.
        let again = auth(&args("192.0.2.10:8750", None), &mut store).unwrap();
        assert!(crate::auth::verify_secret(
            "truck seven",
            again.admin_hash().unwrap()
        ));
    }

    /// The nice value of the calling thread (Linux: field 19 of its stat line).
    #[cfg(target_os = "linux")]
    fn own_nice() -> i64 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        let after_name = &stat[stat.rfind(')').unwrap() + 2..];
        after_name.split(' ').nth(16).unwrap().parse().unwrap()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn device_work_runs_at_a_lower_priority_than_the_caller() {
        let here = own_nice();
        let rt = DeviceRuntime::new().unwrap();
        let (worker, blocking) = rt.0.as_ref().unwrap().block_on(async {
            let worker = rt.spawn(async { own_nice() }).await.unwrap();
            let blocking = tokio::task::spawn_blocking(own_nice).await.unwrap();
            (worker, blocking)
        });
        assert_eq!(worker, (here + 10).min(19), "device runtime worker");
        assert_eq!(blocking, (here + 10).min(19), "device blocking pool");
        assert_eq!(own_nice(), here, "the caller's thread keeps its priority");
    }
}
