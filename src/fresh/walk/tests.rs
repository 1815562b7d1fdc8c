use super::*;

#[test]
fn wanted_rows_jump_the_queue_and_nothing_is_read_twice() {
    let mut q = Queue::new(["a", "b", "c", "d"].map(String::from));
    let wanted = vec!["c".to_string(), "x".to_string()];
    assert_eq!(q.pick(&wanted).as_deref(), Some("c"));
    assert_eq!(q.pick(&wanted).as_deref(), Some("a"));
    assert_eq!(q.pick(&wanted).as_deref(), Some("b"));
    assert_eq!(q.pick(&wanted).as_deref(), Some("d"));
    assert_eq!(q.pick(&wanted), None);
}

#[test]
fn an_item_on_demand_is_read_only_when_wanted() {
    let mut q = Queue::new(["a"].map(String::from)).on_demand(["x", "y"].map(String::from));
    assert_eq!(q.pick(&["y".to_string()]).as_deref(), Some("y"));
    assert_eq!(q.pick(&[]).as_deref(), Some("a"));
    assert_eq!(q.pick(&["y".to_string()]), None, "read once");
    assert_eq!(q.pick(&[]), None, "x is never wanted: not read");
}

#[test]
fn the_rotation_reads_every_stream_within_half_an_hour() {
    // Every 300 s: 6 walks in 30 minutes, so a sixth of the streams each walk.
    let w = Walker::new(Duration::from_secs(300));
    assert_eq!(w.rotation_share(500), 84);
    assert_eq!(w.rotation_share(0), 0);
    // A walk every hour: every stream, every walk.
    assert_eq!(
        Walker::new(Duration::from_secs(3600)).rotation_share(10),
        10
    );
}
