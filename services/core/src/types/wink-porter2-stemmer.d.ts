// wink-porter2-stemmer ships no type declarations: its one export stems one lower-case English word.
declare module 'wink-porter2-stemmer' {
  export default function stem(word: string): string;
}
