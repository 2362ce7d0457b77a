# Guest job (busybox sh, tests/stap/vm.sh): 'probe health.* {}' on the
# module runtime (/jobs/health_all.ko), its stream with the guest's /proc
# and tracefs counts recorded at each batch line (ht-snap), while a known
# load runs between batch 3 and the last few batches: context switches,
# loopback pings, serial port output (IRQs), UDP datagrams to a closed port (drops), 64 MiB of RSS
# and an OOM kill in a memory cgroup limited to 32 MiB. The load starts and
# ends in quiet batches, so a snapshot taken a little after its batch line
# counts nearly nothing that the batch did not.
T=/sys/kernel/tracing
# Independent counts of the same events: a kprobe event on __alloc_skb and
# the skb free tracepoints, each in a tracefs instance of its own.
echo 'p:htalloc __alloc_skb' >>$T/kprobe_events || echo "no kprobe_events" >&2
mkdir $T/instances/healthtap-skb $T/instances/healthtap-skb-alloc
echo 1 >$T/instances/healthtap-skb/events/skb/consume_skb/enable
echo 1 >$T/instances/healthtap-skb/events/skb/kfree_skb/enable
echo 1 >$T/instances/healthtap-skb-alloc/events/kprobes/htalloc/enable
echo +memory >/sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/oom && echo 32M >/sys/fs/cgroup/oom/memory.max

# staprun's pid in stap.pid (the job stops it with SIGINT once the load
# and two quiet batches are over), its exit code in stap.rc.
(staprun -C never /jobs/health_all.ko 2>stap.err & echo $! >stap.pid; wait $!; echo $? >stap.rc) |
	ht-snap sched=/proc/stat irq=/proc/softirqs irq=/proc/interrupts skb=/proc/net/dev \
		$(for f in $T/instances/healthtap-skb*/per_cpu/cpu*/stats; do echo skb=$f; done) \
		memory=/proc/stat >stream &
i=0
until grep -q ' sched batch 3$' stream 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 300 ] || { echo "no third sched batch" >&2; break; }
	sleep 0.2
done
echo "load start $(cut -d' ' -f1 /proc/uptime)"
switcher 4 &
sw=$!
# hard IRQs with a name of their own: the 4th serial port (IRQ 3, a null
# device on the host; ttyS1 shares IRQ 3 but is closed meanwhile)
# (its handler's name shows in /proc/interrupts while the port is open)
(exec 3>/dev/ttyS3; stty -F /dev/ttyS3 115200 raw
 head -c 200000 /dev/zero | tr '\0' x >&3; cat /proc/interrupts >interrupts) &
ir=$!
ping -q -A -c 2000 127.0.0.1 >ping.out 2>&1 &
pg=$!
for i in $(seq 1 30); do echo x | nc -u -w 0 127.0.0.1 9 2>/dev/null; done
memhog 0 64 500 >memhog.out
sh -c 'echo $$ >/sys/fs/cgroup/oom/cgroup.procs && exec memhog 0 128 500' >oomhog.out 2>&1
wait $sw $pg $ir
echo "load end $(cut -d' ' -f1 /proc/uptime)"
n=$(grep -c ' sched batch ' stream)
i=0
until [ "$(grep -c ' sched batch ' stream)" -ge $((n + 3)) ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || { echo "no quiet batches after the load" >&2; break; }
	sleep 0.2
done
kill -INT "$(cat stap.pid)"
wait
echo "staprun done"
grep -c . stream
