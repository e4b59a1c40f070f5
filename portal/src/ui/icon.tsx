/** Inline SVG icons: static paths from this bundle, hidden from assistive technology. */
export const icons = {
  user: 'M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9Z|M3.5 21a8.5 8.5 0 0 1 17 0',
  shield: 'M12 2.5 4 5.5v6c0 5 3.4 8.9 8 10 4.6-1.1 8-5 8-10v-6l-8-3Z|M8.5 12l2.5 2.5 4.5-5',
  dots: 'M5 12h.01|M12 12h.01|M19 12h.01',
  copy: 'M9 9h10v12H9z|M5 15V3h10',
  download: 'M12 3v12|M7 10l5 5 5-5|M5 21h14',
  close: 'M6 6l12 12|M18 6 6 18',
  home: 'M3 11 12 3l9 8|M5 10v11h14V10',
  settings: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Z|M4 12h2|M18 12h2|M12 4v2|M12 18v2',
  report: 'M4 20V4|M4 20h16|M8 16v-5|M12 16V8|M16 16v-3',
  users: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Z|M2 21a7 7 0 0 1 14 0|M16 3.5a4 4 0 0 1 0 7.5|M19 14a6 6 0 0 1 3 7',
};

export function Icon({ paths }: { paths: string }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      {paths.split('|').map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
