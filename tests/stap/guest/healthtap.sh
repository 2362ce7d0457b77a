# Guest job (busybox sh, tests/stap/vm.sh): the healthtap frontend on the
# module runtime (/jobs/health_all.ko).
# 1. stap's stdout through 'healthtap stream --json' while switcher runs;
#    meanwhile procfs("health") is read from /proc/systemtap/health_all.
# 2. 'healthtap record --stap on' with the module as its stap command, a
#    memhog under it; its stapio is killed (staprun -d then unloads the
#    module left behind): the recorder must say so and start it again; then 'healthtap leaks' on
#    the recorded DB.
wait_for_line() { # FILE PATTERN: up to 60 s
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "no '$2' in $1" >&2; return 1; }
		sleep 0.2
	done
}

(staprun -C never /jobs/health_all.ko 2>stap.err & echo $! >stap.pid; wait $!; echo $? >stap.rc) |
	tee stap.out | healthtap stream --json >stream.json 2>stream.err &
wait_for_line stap.out ' sched batch 2$'
switcher 5
wait_for_line stap.out ' sched batch 6$'
cat /proc/systemtap/health_all/health >procfs.txt 2>procfs.err
echo "procfs rc=$?"
kill -INT "$(cat stap.pid)"
wait
echo "stream rc=$(cat stap.rc)"

export HEALTHTAP_STAP_CMD="exec staprun -C never /jobs/health_all.ko"
healthtap record -d h.db -i 1s --stap on --for 90s 2>record.err &
rec=$!
wait_for_line record.err 'stap: started pid'
memhog 0 32 3000 >memhog.out &
P=/proc/systemtap/health_all/health
wait_for_line $P ' sched batch 4$'
# stapio killed: the module stays loaded until staprun -d removes it
kill -9 "$(sed -n 's/.*stap: started pid \([0-9]*\):.*/\1/p' record.err | head -n 1)"
sleep 1
staprun -d health_all >unload.out 2>&1
echo "staprun -d rc=$?"
wait_for_line record.err 'restarting in'
# a start after the death (the first may find the module still there:
# it is retried), then a few batches from it
n=0
until [ "$(grep -c 'stap: started pid' record.err)" -ge 2 ]; do
	n=$((n + 1))
	[ $n -lt 300 ] || { echo "no second start" >&2; break; }
	sleep 0.2
done
wait_for_line $P ' sched batch 4$'
kill -TERM $rec
wait $rec
echo "record rc=$?"
healthtap leaks -d h.db >leaks.out 2>leaks.err
echo "leaks rc=$?"
