import { CaretRightOutlined, PauseOutlined } from '@ant-design/icons';
import { Alert, Button, Select, Space, Typography } from 'antd';
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin, { type Region } from 'wavesurfer.js/dist/plugins/regions.js';
import type { CallReviewView, Speaker } from '../../../contracts/review.ts';
import { clock } from '../format.ts';

type Segment = NonNullable<CallReviewView['transcript']>['segments'][number];

export interface PlayerHandle {
  seek(seconds: number): void;
  playPause(): void;
}

export interface HitRegion {
  id: string;
  start: number;
  end: number;
  label: string;
  active: boolean;
}

export const SPEAKER_COLOURS: Record<Speaker, string> = {
  agent: '#1f6feb',
  customer: '#d46b08',
  unknown: '#8c8c8c',
};
const SPEEDS = [0.75, 1, 1.25, 1.5, 2];

/**
 * The recording: wavesurfer.js draws the waveform and plays through an
 * <audio> element of ours whose src is the API's audio URL, so playback
 * streams with HTTP Range requests from the first second while wavesurfer
 * fetches the file once for the waveform. Every rule hit is a region; the
 * speaker lanes below show who speaks when.
 */
export function WaveformPlayer({
  url,
  durationS,
  segments,
  regions,
  onTime,
  onRegionClick,
  handle,
}: {
  url: string;
  durationS: number;
  segments: Segment[];
  regions: HitRegion[];
  onTime(seconds: number): void;
  onRegionClick(id: string): void;
  handle: Ref<PlayerHandle>;
}) {
  const { t } = useTranslation();
  const waveBox = useRef<HTMLDivElement>(null);
  const mediaBox = useRef<HTMLDivElement>(null);
  const surfer = useRef<WaveSurfer | null>(null);
  const regionsPlugin = useRef<ReturnType<typeof RegionsPlugin.create> | null>(null);
  const [ready, setReady] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(durationS);
  const [speed, setSpeed] = useState(1);
  const [failed, setFailed] = useState(false);
  // Handlers change every render; the wavesurfer listeners read the latest ones.
  const callbacks = useRef({ onTime, onRegionClick });
  callbacks.current = { onTime, onRegionClick };

  useEffect(() => {
    const media = document.createElement('audio');
    media.preload = 'auto';
    media.src = new URL(url, window.location.href).href;
    mediaBox.current!.appendChild(media);
    const plugin = RegionsPlugin.create();
    const ws = WaveSurfer.create({
      container: waveBox.current!,
      media,
      height: 96,
      waveColor: '#9fb3c8',
      progressColor: '#1f6feb',
      cursorColor: '#cf1322',
      cursorWidth: 2,
      normalize: true,
      dragToSeek: true,
      plugins: [plugin],
    });
    surfer.current = ws;
    regionsPlugin.current = plugin;
    const unsubscribe = [
      ws.on('decode', (seconds) => {
        setDuration(seconds);
        setReady(true);
      }),
      ws.on('play', () => setPlaying(true)),
      ws.on('pause', () => setPlaying(false)),
      ws.on('finish', () => setPlaying(false)),
      ws.on('timeupdate', (seconds) => {
        setTime(seconds);
        callbacks.current.onTime(seconds);
      }),
      ws.on('error', () => setFailed(true)),
      plugin.on('region-clicked', (region: Region, event: MouseEvent) => {
        event.stopPropagation();
        ws.setTime(region.start);
        callbacks.current.onRegionClick(region.id);
      }),
    ];
    return () => {
      for (const off of unsubscribe) off();
      ws.destroy();
      media.remove();
      surfer.current = null;
      regionsPlugin.current = null;
      setReady(false);
    };
  }, [url]);

  useEffect(() => {
    const plugin = regionsPlugin.current;
    if (!ready || !plugin) return;
    plugin.clearRegions();
    for (const region of regions) {
      // No text on the waveform (it would hide it): the label is the region's tooltip.
      const added = plugin.addRegion({
        id: region.id,
        start: region.start,
        end: Math.max(region.end, region.start + 0.2),
        color: region.active ? 'rgba(207, 19, 34, 0.35)' : 'rgba(250, 173, 20, 0.28)',
        drag: false,
        resize: false,
      });
      added.element?.setAttribute('title', region.label);
    }
  }, [ready, regions]);

  useImperativeHandle(
    handle,
    () => ({
      seek(seconds: number) {
        surfer.current?.setTime(Math.max(0, seconds));
      },
      playPause() {
        void surfer.current?.playPause();
      },
    }),
    [],
  );

  const total = duration || durationS || 1;
  return (
    <div className="player" data-testid="player">
      <div ref={waveBox} className="waveform" role="img" aria-label={t('recording.waveform')} />
      <div className="lanes" role="group" aria-label={t('recording.lanes')}>
        {(['agent', 'customer'] as const).map((speaker) => (
          <div className="lane" key={speaker}>
            <span className="lane-label" style={{ color: SPEAKER_COLOURS[speaker] }}>
              {t(`speakers.${speaker}`)}
            </span>
            <div className="lane-track" data-testid={`lane-${speaker}`}>
              {segments
                .filter((segment) => segment.speaker === speaker)
                .map((segment) => (
                  <span
                    key={segment.index}
                    className="lane-block"
                    title={`${clock(segment.start)}–${clock(segment.end)}`}
                    onClick={() => surfer.current?.setTime(segment.start)}
                    style={{
                      left: `${(100 * segment.start) / total}%`,
                      width: `${Math.max(0.4, (100 * (segment.end - segment.start)) / total)}%`,
                      background: SPEAKER_COLOURS[speaker],
                    }}
                  />
                ))}
            </div>
          </div>
        ))}
      </div>
      <div ref={mediaBox} hidden />
      <Space className="player-controls" wrap>
        <Button
          type="primary"
          icon={playing ? <PauseOutlined /> : <CaretRightOutlined />}
          onClick={() => void surfer.current?.playPause()}
          aria-label={playing ? t('recording.pause') : t('recording.play')}
          data-testid="play-pause"
        >
          {playing ? t('recording.pause') : t('recording.play')}
        </Button>
        <Typography.Text code aria-live="off" data-testid="position">
          {t('recording.position', { current: clock(time), total: clock(total) })}
        </Typography.Text>
        <label className="inline-label">
          {t('recording.speed')}{' '}
          <Select<number>
            aria-label={t('recording.speed')}
            value={speed}
            style={{ width: 90 }}
            onChange={(rate) => {
              setSpeed(rate);
              surfer.current?.setPlaybackRate(rate, true);
            }}
            options={SPEEDS.map((rate) => ({ value: rate, label: `${rate}×` }))}
          />
        </label>
      </Space>
      {failed && <Alert type="warning" title={t('recording.loadFailed')} />}
    </div>
  );
}
