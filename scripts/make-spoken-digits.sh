#!/usr/bin/env bash
# Builds the spoken-digits set: the words zero..nine spoken by espeak-ng, with the voices of validation and
# test held out of training, written as
#   examples/spoken-digits/{train,val,test}/<digit-word>/<voice>_<speed>_<pitch>.wav
#
#   train: en-us, en-gb, en-gb-scotland, en-029, each also with the +m3 and +f2 variants (12 voices)
#   val:   en-gb-x-rp+f4, en-us+m7
#   test:  en-gb-x-gbcwmd, en-us+f3
#   speeds (words per minute) 140, 170, 200; pitches 40, 50, 60
#
# Each clip: espeak-ng's 22,050 Hz output resampled to 8 kHz (sox `rate -v`), leading and trailing silence
# trimmed (below 0.05% of full scale, about -66 dBFS, for 2 ms: a higher threshold cuts weak consonants such
# as the "th" of three), peak-normalized to -6 dBFS, padded with 30 ms of silence at each end, then white noise
# added at 20 dB SNR: the noise is scaled so that its RMS is the RMS of the trimmed speech divided by 10 (power
# ratio 100). The noise is deterministic: one 60 s white-noise track made by sox in repeatable mode (-R, fixed
# seed), and clip number k (in the order of the loops below) takes the stretch starting at sample
# (k * 7919) mod (track length - clip length). Written as 8 kHz mono 16-bit PCM WAV, without dither. Two runs
# give identical bytes. The generated files are committed, so that another espeak-ng or sox version does not
# change the data; rerun this script only to rebuild them (it replaces the folder).
#
# Needs: espeak-ng, sox (Debian: apt-get install -y espeak-ng sox). Run from the repository root:
#   bash scripts/make-spoken-digits.sh [out-dir]      (default examples/spoken-digits)
set -euo pipefail

out="${1:-examples/spoken-digits}"
words=(zero one two three four five six seven eight nine)
speeds=(140 170 200)
pitches=(40 50 60)
train_voices=(en-us en-us+m3 en-us+f2 en-gb en-gb+m3 en-gb+f2 en-gb-scotland en-gb-scotland+m3 en-gb-scotland+f2
  en-029 en-029+m3 en-029+f2)
val_voices=(en-gb-x-rp+f4 en-us+m7)
test_voices=(en-gb-x-gbcwmd en-us+f3)
rate=8000
noise_seconds=60

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# RMS amplitude of a WAV file, from `sox stat`.
rms() { sox "$1" -n stat 2>&1 | awk '/^RMS +amplitude:/ { print $3 }'; }

sox -R -n -r "$rate" -c 1 -e floating-point -b 32 "$tmp/noise.wav" synth "$noise_seconds" whitenoise
noise_len="$(soxi -s "$tmp/noise.wav")"

rm -rf "$out"
k=0
for split in train val test; do
  case "$split" in
  train) voices=("${train_voices[@]}") ;;
  val) voices=("${val_voices[@]}") ;;
  test) voices=("${test_voices[@]}") ;;
  esac
  for word in "${words[@]}"; do
    mkdir -p "$out/$split/$word"
    for voice in "${voices[@]}"; do
      for speed in "${speeds[@]}"; do
        for pitch in "${pitches[@]}"; do
          espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$tmp/raw.wav" "$word"
          sox -R -D "$tmp/raw.wav" -e floating-point -b 32 "$tmp/speech.wav" rate -v "$rate" \
            silence 1 0.002 0.05% reverse silence 1 0.002 0.05% reverse gain -n -6
          speech_rms="$(rms "$tmp/speech.wav")"
          sox -R -D "$tmp/speech.wav" "$tmp/padded.wav" pad 0.03 0.03
          len="$(soxi -s "$tmp/padded.wav")"
          offset=$(((k * 7919) % (noise_len - len)))
          sox -R -D "$tmp/noise.wav" "$tmp/segment.wav" trim "${offset}s" "${len}s"
          noise_rms="$(rms "$tmp/segment.wav")"
          gain="$(awk -v s="$speech_rms" -v n="$noise_rms" 'BEGIN { printf "%.6f", (s / 10) / n }')"
          sox -R -D -m -v 1 "$tmp/padded.wav" -v "$gain" "$tmp/segment.wav" \
            -r "$rate" -c 1 -e signed-integer -b 16 "$out/$split/$word/${voice}_${speed}_${pitch}.wav"
          k=$((k + 1))
        done
      done
    done
  done
  echo "$split: $(find "$out/$split" -name '*.wav' | wc -l) files"
done
echo "$k clips in $out ($(du -sh "$out" | cut -f1)); espeak-ng $(espeak-ng --version | awk '{print $4}'), sox $(sox --version | awk '{print $NF}')"
