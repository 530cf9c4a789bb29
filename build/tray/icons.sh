#!/bin/sh
# icons.sh regenerates the tray icons (embedded by main.go) with ImageMagick:
# drawn at 64 px, scaled to 32 px. idle: blue check; pending: orange "!";
# paused: grey bars; error: red cross.
set -eu
cd "$(dirname "$0")"
convert -size 64x64 xc:none -fill '#2f6fde' -draw 'circle 32,32 32,4' -stroke white -strokewidth 7 -fill none -draw 'polyline 18,33 28,43 46,22' -resize 32x32 idle.png
convert -size 64x64 xc:none -fill '#f08c00' -draw 'circle 32,32 32,4' -fill white -draw 'roundrectangle 28,13 36,40 3,3' -draw 'circle 32,49 32,44' -resize 32x32 pending.png
convert -size 64x64 xc:none -fill '#6b7280' -draw 'circle 32,32 32,4' -fill white -draw 'rectangle 21,18 28,46' -draw 'rectangle 36,18 43,46' -resize 32x32 paused.png
convert -size 64x64 xc:none -fill '#d92d20' -draw 'circle 32,32 32,4' -stroke white -strokewidth 7 -draw 'line 21,21 43,43' -draw 'line 43,21 21,43' -resize 32x32 error.png
